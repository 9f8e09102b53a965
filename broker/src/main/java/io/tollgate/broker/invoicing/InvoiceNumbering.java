package io.tollgate.broker.invoicing;

import io.tollgate.billing.InvoiceNumbers;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import com.google.protobuf.Message;
import io.tollgate.protocols.v1.journal.NumberAssigned;
import io.tollgate.protocols.v1.journal.NumberReleased;
import io.tollgate.protocols.v1.journal.NumberingSnapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The number sequence of one issuer: each document gets the next number once, and asking again
 * for the same document returns the same number. A number is used the moment it is given, and
 * it is given only to a document that is then finalized (retries included), so the sequence
 * has no gaps. Once the document is final its issuer releases it ({@link Release}): it never
 * asks again, so the sequence keeps only the documents in flight, however many it numbered.
 */
public final class InvoiceNumbering
    extends EventSourcedBehaviorWithEnforcedReplies<InvoiceNumbering.Command, Message, InvoiceNumbering.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "InvoiceNumbering");
  /** The platform issues every consumer invoice. */
  public static final String INVOICES = "TG";
  /** Credit notes have a sequence of their own. */
  public static final String CREDIT_NOTES = "TGCN";

  public sealed interface Command extends ClusterMessage {}

  public record Assign(String document, ActorRef<AssignedNumber> replyTo) implements Command {}

  /**
   * The document is final and never asks for its number again; answered once the sequence forgot
   * it, at once when it holds no such document (a copy of a release it wrote).
   */
  public record Release(String document, ActorRef<Done> replyTo) implements Command {}

  public record AssignedNumber(String number) implements ClusterMessage {}

  public record State(InvoiceNumbers numbers, Map<String, Long> assigned) {}

  public static void initSharding(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId())));
  }

  public static EntityRef<Command> of(ClusterSharding sharding, String issuerPrefix) {
    return sharding.entityRefFor(ENTITY_KEY, issuerPrefix);
  }

  /**
   * Releases the document, sent again until the sequence answers: told once, a release lost in a
   * hand-off or with a dying node left the document in the sequence's state (and every snapshot
   * of it) for ever.
   */
  public static CompletionStage<Done> release(EntityRef<Command> numbering, String document,
                                              ShardedAsk.Patience patience) {
    return ShardedAsk.<Command, Done>ask(numbering, replyTo -> new Release(document, replyTo), patience);
  }

  static Behavior<Command> create(String prefix) {
    return new InvoiceNumbering(prefix);
  }

  private final String prefix;

  private InvoiceNumbering(String prefix) {
    super(PersistenceId.ofUniqueId("InvoiceNumbering|" + prefix));
    this.prefix = prefix;
  }

  @Override
  public State emptyState() {
    return new State(InvoiceNumbers.start(prefix), new HashMap<>());
  }

  @Override
  public CommandHandlerWithReply<Command, Message, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Assign.class, this::onAssign)
        .onCommand(Release.class, (state, release) -> state.assigned().containsKey(release.document())
            ? Effect().persist(NumberReleased.newBuilder().setDocument(release.document()).build())
                .thenReply(release.replyTo(), released -> Done.getInstance())
            : Effect().reply(release.replyTo(), Done.getInstance()))
        .build();
  }

  private ReplyEffect<Message, State> onAssign(State state, Assign assign) {
    Long existing = state.assigned().get(assign.document());
    if (existing != null) {
      return Effect().reply(assign.replyTo(), new AssignedNumber(new InvoiceNumbers(prefix, existing).format()));
    }
    long number = state.numbers().next().last();
    return Effect().persist(NumberAssigned.newBuilder().setDocument(assign.document()).setNumber(number).build())
        .thenReply(assign.replyTo(), newState -> new AssignedNumber(new InvoiceNumbers(prefix, number).format()));
  }

  @Override
  public EventHandler<State, Message> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(NumberAssigned.class, (state, assigned) -> {
          state.assigned().put(assigned.getDocument(), assigned.getNumber());
          return new State(new InvoiceNumbers(prefix, assigned.getNumber()), state.assigned());
        })
        .onEvent(NumberReleased.class, (state, released) -> {
          state.assigned().remove(released.getDocument());
          return state;
        })
        .build();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return snapshotOf(state);
      }

      @Override
      public State fromJournal(Object stored) {
        NumberingSnapshot snapshot = (NumberingSnapshot) stored;
        return new State(new InvoiceNumbers(prefix, snapshot.getLast()), new HashMap<>(snapshot.getAssignedMap()));
      }
    };
  }

  /** What a snapshot stores: the last number and the documents in flight. */
  static NumberingSnapshot snapshotOf(State state) {
    return NumberingSnapshot.newBuilder().setLast(state.numbers().last()).putAllAssigned(state.assigned()).build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }
}
