package io.tollgate.broker.invoicing;

import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.BillingArchiveSnapshot;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The read side of an account's closed periods. {@link AccountBilling} moves each closed and
 * settled period here, so its live state (and what it recovers and snapshots) holds only open
 * periods, however long the account's history. This entity is woken only when history is read
 * (the invoice list, an archived invoice, usage of past periods) or a period is archived.
 */
public final class BillingArchive
    extends EventSourcedBehaviorWithEnforcedReplies<BillingArchive.Command, ArchivedPeriod, ArchivedPeriods> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "BillingArchive");

  public sealed interface Command extends ClusterMessage {}

  /** Store a closed period; idempotent, and a period stored again adds its newer versions. */
  public record Store(ArchivedPeriod period, ActorRef<Done> replyTo) implements Command {}

  public record Read(ActorRef<BillingArchiveSnapshot> replyTo) implements Command {}

  public static void initSharding(ClusterSharding sharding) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId())));
  }

  public static EntityRef<Command> of(ClusterSharding sharding, String accountId) {
    return sharding.entityRefFor(ENTITY_KEY, accountId);
  }

  static Behavior<Command> create(String accountId) {
    return new BillingArchive(accountId);
  }

  private BillingArchive(String accountId) {
    super(PersistenceId.ofUniqueId("BillingArchive|" + accountId));
  }

  @Override
  public ArchivedPeriods emptyState() {
    return new ArchivedPeriods();
  }

  @Override
  public CommandHandlerWithReply<Command, ArchivedPeriod, ArchivedPeriods> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Store.class, (archive, store) -> Effect().persist(store.period())
            .thenReply(store.replyTo(), stored -> Done.getInstance()))
        .onCommand(Read.class, (archive, read) -> Effect().reply(read.replyTo(), archive.toSnapshot()))
        .build();
  }

  @Override
  public EventHandler<ArchivedPeriods, ArchivedPeriod> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(ArchivedPeriod.class, ArchivedPeriods::add).build();
  }

  @Override
  public SnapshotAdapter<ArchivedPeriods> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(ArchivedPeriods archive) {
        return archive.toSnapshot();
      }

      @Override
      public ArchivedPeriods fromJournal(Object stored) {
        return ArchivedPeriods.fromSnapshot((BillingArchiveSnapshot) stored);
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
