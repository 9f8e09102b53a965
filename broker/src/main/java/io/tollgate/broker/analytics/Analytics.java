package io.tollgate.broker.analytics;

import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.trim.ReadPositions;
import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A node's handle on analytics: queries go to the read side, wherever it runs; this node's
 * {@link MinuteRecorder} is handed to the read side each minute (a record the read side did not
 * confirm is sent again with the next one); and the read side's positions are offered to journal
 * retention ({@link ReadPositions}).
 */
public final class Analytics implements ReadPositions {
  private final ActorSystem<?> system;
  private final ActorRef<AnalyticsReadSide.Command> readSide;
  private final MinuteRecorder recorder;
  private final CatalogView view;
  private final Clock clock;
  private final Duration timeout;
  private final List<AnalyticsRollup> unconfirmed = new ArrayList<>();
  private java.time.Instant lastFlush;

  public Analytics(ActorSystem<?> system, ActorRef<AnalyticsReadSide.Command> readSide, MinuteRecorder recorder,
                   CatalogView view, Clock clock, Duration timeout) {
    this.system = system;
    this.readSide = readSide;
    this.recorder = recorder;
    this.view = view;
    this.clock = clock;
    this.timeout = timeout;
    this.lastFlush = clock.instant();
  }

  public MinuteRecorder recorder() {
    return recorder;
  }

  /**
   * Hands what was recorded since the last call to the read side, as rollups of the minute that
   * holds the middle of that time; run every {@code tollgate.analytics.record-interval}.
   */
  public synchronized void flushMinute() {
    java.time.Instant now = clock.instant();
    java.time.Instant middle = lastFlush.plus(Duration.between(lastFlush, now).dividedBy(2));
    lastFlush = now;
    List<AnalyticsRollup> rollups = new ArrayList<>(unconfirmed);
    rollups.addAll(recorder.takeMinute(view.catalog(), middle));
    unconfirmed.clear();
    if (rollups.isEmpty()) {
      return;
    }
    AskPattern.<AnalyticsReadSide.Command, org.apache.pekko.Done>ask(readSide,
            replyTo -> new AnalyticsReadSide.Observe(rollups, replyTo), timeout, system.scheduler())
        .whenComplete((done, failure) -> {
          if (failure != null) {
            synchronized (this) {
              unconfirmed.addAll(rollups);
            }
          }
        });
  }

  public CompletionStage<AnalyticsReadSide.Series> query(Dimension dimension, Optional<Set<String>> keys,
                                                         long fromMillis, long toMillis, Resolution resolution) {
    return AskPattern.ask(readSide, replyTo -> new AnalyticsReadSide.Query(dimension, keys, fromMillis, toMillis,
        resolution, replyTo), timeout, system.scheduler());
  }

  private static boolean follows(String journal) {
    return PartitionRef.isPersistenceId(journal) || journal.startsWith(SubscriptionEntity.persistenceId(""))
        || journal.startsWith(AccountBilling.persistenceId(""));
  }

  @Override
  public String name() {
    return "analytics";
  }

  /**
   * The read side follows every partition, usage and billing journal, whether its catalog lists it
   * yet or not (one it has not read is at 0).
   */
  @Override
  public CompletionStage<Map<String, Long>> positionsIn(Collection<String> journals) {
    return AskPattern.<AnalyticsReadSide.Command, AnalyticsReadSide.Positions>ask(readSide,
            AnalyticsReadSide.GetPositions::new, timeout, system.scheduler())
        .thenApply(positions -> {
          Map<String, Long> of = new HashMap<>();
          journals.stream().filter(Analytics::follows)
              .forEach(journal -> of.put(journal, positions.byJournal().getOrDefault(journal, 0L)));
          return of;
        });
  }
}
