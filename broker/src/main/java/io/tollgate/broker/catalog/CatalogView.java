package io.tollgate.broker.catalog;

import io.tollgate.protocols.v1.journal.CatalogChange;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.RestartSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the catalog, following the catalog's journal. Edges authorize and look
 * things up here without a round trip to the catalog entity; a writer that needs to read its
 * own change waits with {@link #awaitVersion}. It starts from the catalog's latest snapshot
 * and the changes after it ({@link CatalogLoader}), then follows the journal from there.
 */
public final class CatalogView {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogView.class);
  private final Catalog catalog = new Catalog();
  /** Changes read from the journal since start, as opposed to restored from a snapshot. */
  private final AtomicLong changesRead = new AtomicLong();
  private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> waiters = new ConcurrentSkipListMap<>();
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  /** What runs when a subscription's plan changes, by subscription. */
  private final ConcurrentHashMap<String, Set<Runnable>> planWatches = new ConcurrentHashMap<>();
  private volatile UniqueKillSwitch following;
  private volatile boolean stopped;

  public Catalog catalog() {
    return catalog;
  }

  /**
   * Loads the latest snapshot and the changes after it, then follows the journal from the
   * version loaded. Should the load fail (the journal unreachable), following starts from
   * wherever it got, and retries as long as it must.
   */
  public void start(ActorSystem<?> system, EventsByPersistenceIdQuery journal, CompletionStage<Long> journalEnd) {
    CompletableFuture<Long> loaded = new CompletableFuture<>();
    system.systemActorOf(CatalogLoader.create(catalog, this::onChange, loaded), "catalog-loader", Props.empty());
    loaded.whenComplete((version, failure) -> {
      if (failure != null) {
        LOG.atWarn().setCause(failure).addKeyValue("version", catalog.version())
            .log("catalog snapshot not loaded; following the journal from this version");
      }
      wakeWaiters();
      follow(system, journal);
    });
    journalEnd.thenCompose(this::reached).whenComplete((done, failure) -> {
      if (failure == null) {
        caughtUp.complete(null);
      } else {
        caughtUp.completeExceptionally(failure);
      }
    });
  }

  private synchronized void follow(ActorSystem<?> system, EventsByPersistenceIdQuery journal) {
    if (stopped) {
      return;
    }
    following = RestartSource.withBackoff(
            RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2),
            () -> journal.eventsByPersistenceId(CatalogEntity.PERSISTENCE_ID, catalog.version() + 1, Long.MAX_VALUE))
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(envelope -> onChange((CatalogChange) envelope.event())), Keep.left())
        .run(system);
  }

  /** How many changes this view has read from the journal since start, not counting those a snapshot restored. */
  public long changesRead() {
    return changesRead.get();
  }

  /** Completes once the view has read the whole journal as it stood when the node started. */
  public CompletionStage<Void> caughtUp() {
    return caughtUp;
  }

  public boolean hasCaughtUp() {
    return caughtUp.isDone() && !caughtUp.isCompletedExceptionally();
  }

  public synchronized void stop() {
    stopped = true;
    if (following != null) {
      following.shutdown();
    }
  }

  private void onChange(CatalogChange change) {
    catalog.apply(change);
    changesRead.incrementAndGet();
    if (change.getChangeCase() == CatalogChange.ChangeCase.SUBSCRIPTION_PLAN_CHANGED) {
      planWatches.getOrDefault(change.getSubscriptionPlanChanged().getSubscription(), Set.of()).forEach(Runnable::run);
    }
    wakeWaiters();
  }

  /** Completes the waits for every version up to the one applied; a snapshot can jump many at once. */
  private void wakeWaiters() {
    Map<Long, CompletableFuture<Void>> reached = waiters.headMap(catalog.version(), true);
    reached.values().forEach(waiter -> waiter.complete(null));
    reached.clear();
  }

  /**
   * Runs {@code onChange} each time this view applies a change of {@code subscription}'s plan,
   * until the returned stop is run. A watch costs nothing in between: no timer, no look.
   */
  public Runnable watchPlan(String subscription, Runnable onChange) {
    planWatches.computeIfAbsent(subscription, id -> ConcurrentHashMap.newKeySet()).add(onChange);
    return () -> planWatches.computeIfPresent(subscription, (id, watches) -> {
      watches.remove(onChange);
      return watches.isEmpty() ? null : watches;
    });
  }

  /**
   * Completes when this view has applied the catalog's change number {@code version}, or fails
   * after ten seconds: a writer waiting to read its own change answers its request either way.
   */
  public CompletionStage<Void> awaitVersion(long version) {
    return reached(version).copy().orTimeout(10, TimeUnit.SECONDS);
  }

  /**
   * Completes when this view has applied change number {@code version}, however long its replay
   * takes: a starting node on a busy machine can need more than a request's patience to read
   * the catalog, and giving up would leave it never ready. Waiters of one version share a
   * future, so each caller's timeout goes on a copy of it.
   */
  private CompletableFuture<Void> reached(long version) {
    if (catalog.version() >= version) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> waiter = waiters.computeIfAbsent(version, v -> new CompletableFuture<>());
    if (catalog.version() >= version) {
      waiter.complete(null);
    }
    return waiter;
  }
}
