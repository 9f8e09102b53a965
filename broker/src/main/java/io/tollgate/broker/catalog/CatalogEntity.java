package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Rejection;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CatalogSnapshot;
import java.util.Optional;
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
 * The single writer of the catalog: checks each change against everything before it and
 * journals it. Reads go to each node's {@link CatalogView}, which follows this journal. Every
 * {@code snapshotEvery} changes it saves the whole catalog as a {@link CatalogSnapshot}, so it
 * and each view start from the latest one and replay only the changes after it. The changes
 * themselves are kept: the audit log reads them.
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

  /** How many snapshots are kept: the one before the latest is there should the latest not read back. */
  private static final int SNAPSHOTS_KEPT = 2;

  /**
   * {@code limits}: how much of the catalog one account may hold, checked before each change is
   * journaled; {@code snapshotEvery}: changes between snapshots.
   */
  public static void initSharding(ClusterSharding sharding, CatalogLimits limits, int snapshotEvery) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(limits, snapshotEvery)));
  }

  public static EntityRef<Command> ref(ClusterSharding sharding) {
    return sharding.entityRefFor(ENTITY_KEY, ENTITY_ID);
  }

  static Behavior<Command> create(CatalogLimits limits, int snapshotEvery) {
    return new CatalogEntity(limits, snapshotEvery);
  }

  private final CatalogLimits limits;
  private final int snapshotEvery;

  private CatalogEntity(CatalogLimits limits, int snapshotEvery) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
    this.limits = limits;
    this.snapshotEvery = snapshotEvery;
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

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, SNAPSHOTS_KEPT);
  }

  @Override
  public SnapshotAdapter<Catalog> snapshotAdapter() {
    return snapshotAdapter(this::emptyState);
  }

  /**
   * Stores a catalog as its Protobuf snapshot, taken on the thread that applies changes (the
   * catalog itself goes on changing), and restores one into {@code empty}'s catalog.
   */
  static SnapshotAdapter<Catalog> snapshotAdapter(java.util.function.Supplier<Catalog> empty) {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Catalog catalog) {
        return catalog.toSnapshot();
      }

      @Override
      public Catalog fromJournal(Object stored) {
        Catalog catalog = empty.get();
        catalog.restore((CatalogSnapshot) stored);
        return catalog;
      }
    };
  }
}
