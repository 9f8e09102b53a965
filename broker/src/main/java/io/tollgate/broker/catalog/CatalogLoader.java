package io.tollgate.broker.catalog;

import io.tollgate.protocols.v1.journal.CatalogChange;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Brings a node's view to the catalog as the journal stands, the way the catalog entity
 * recovers: the latest snapshot, then the changes after it. Persistence query has no read of
 * snapshots, so the view borrows recovery: this behavior shares the entity's persistence id
 * but only recovers, then stops, and never writes (the entity stays the single writer).
 */
final class CatalogLoader extends EventSourcedBehavior<CatalogLoader.Stop, CatalogChange, Catalog> {
  /** Sent to itself once recovered: it has nothing else to do. It never leaves the node. */
  enum Stop implements NoSerializationVerificationNeeded { STOP }

  private final Catalog target;
  private final Consumer<CatalogChange> apply;
  private final CompletableFuture<Long> loaded;
  private final ActorContext<Stop> context;

  /**
   * Restores the latest snapshot into {@code target} (an empty catalog), hands each change
   * after it to {@code apply} (which applies it to {@code target}), and completes
   * {@code loaded} with the version reached.
   */
  static Behavior<Stop> create(Catalog target, Consumer<CatalogChange> apply, CompletableFuture<Long> loaded) {
    return Behaviors.setup(context -> new CatalogLoader(context, target, apply, loaded));
  }

  private CatalogLoader(ActorContext<Stop> context, Catalog target, Consumer<CatalogChange> apply,
                        CompletableFuture<Long> loaded) {
    super(PersistenceId.ofUniqueId(CatalogEntity.PERSISTENCE_ID));
    this.context = context;
    this.target = target;
    this.apply = apply;
    this.loaded = loaded;
  }

  @Override
  public Catalog emptyState() {
    return target;
  }

  @Override
  public CommandHandler<Stop, CatalogChange, Catalog> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand(stop -> Effect().stop());
  }

  @Override
  public EventHandler<Catalog, CatalogChange> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(CatalogChange.class, (catalog, change) -> {
      apply.accept(change);
      return catalog;
    }).build();
  }

  @Override
  public SnapshotAdapter<Catalog> snapshotAdapter() {
    return CatalogEntity.snapshotAdapter(() -> target);
  }

  @Override
  public SignalHandler<Catalog> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), catalog -> {
          loaded.complete(catalog.version());
          context.getSelf().tell(Stop.STOP);
        })
        .onSignal(RecoveryFailed.class, (catalog, failed) -> loaded.completeExceptionally(failed.getFailure()))
        .build();
  }
}
