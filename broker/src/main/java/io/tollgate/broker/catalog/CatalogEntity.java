package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Rejection;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.journal.CatalogChange;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The single writer of the catalog: checks each change against everything before it and
 * journals it. Reads go to each node's {@link CatalogView}, which follows this journal.
 */
public final class CatalogEntity extends EventSourcedBehaviorWithEnforcedReplies<CatalogEntity.Command, CatalogChange, Catalog> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Catalog");
  public static final String ENTITY_ID = "catalog";
  public static final String PERSISTENCE_ID = "Catalog";

  public sealed interface Command extends ClusterMessage {}

  public record Apply(CatalogChange change, ActorRef<Result> replyTo) implements Command {}

  /** Replies with the catalog's version; used at start to know when a node's view is current. */
  public record GetVersion(ActorRef<Long> replyTo) implements Command {}

  public sealed interface Result extends ClusterMessage {}

  /** The change is durable; the catalog's version after it. */
  public record Applied(long version) implements Result {}

  public record Rejected(Rejection rejection) implements Result {}

  /** {@code limits}: how much of the catalog one account may hold, checked before each change is journaled. */
  public static void initSharding(ClusterSharding sharding, CatalogLimits limits) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(limits)));
  }

  public static EntityRef<Command> ref(ClusterSharding sharding) {
    return sharding.entityRefFor(ENTITY_KEY, ENTITY_ID);
  }

  static Behavior<Command> create(CatalogLimits limits) {
    return new CatalogEntity(limits);
  }

  private final CatalogLimits limits;

  private CatalogEntity(CatalogLimits limits) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
    this.limits = limits;
  }

  @Override
  public Catalog emptyState() {
    return new Catalog(limits);
  }

  @Override
  public CommandHandlerWithReply<Command, CatalogChange, Catalog> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState().onCommand(Apply.class, this::onApply)
        .onCommand(GetVersion.class, (catalog, get) -> Effect().reply(get.replyTo(), catalog.version()))
        .build();
  }

  private ReplyEffect<CatalogChange, Catalog> onApply(Catalog catalog, Apply apply) {
    Optional<Rejection> rejection = catalog.check(apply.change());
    if (rejection.isPresent()) {
      return Effect().reply(apply.replyTo(), new Rejected(rejection.get()));
    }
    return Effect().persist(apply.change()).thenReply(apply.replyTo(), state -> new Applied(state.version()));
  }

  @Override
  public EventHandler<Catalog, CatalogChange> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(CatalogChange.class, (catalog, change) -> {
      catalog.apply(change);
      return catalog;
    }).build();
  }
}
