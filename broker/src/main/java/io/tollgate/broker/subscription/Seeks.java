package io.tollgate.broker.subscription;

import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.CursorMove;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.position.TimeSeek;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Moves a subscription's cursor ({@link CursorMove}): finds the ack point the move means in each
 * partition it names, from the partition's end and point reads of its journal (a move to a time
 * bisects, so it costs about log2(entries) reads), then has the subscription's entity set them.
 * The entity ends the open stream, so the consumer reconnects from the new position.
 */
public final class Seeks {
  private final ClusterSharding sharding;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final ActorSystem<?> system;
  private final Duration timeout;

  public Seeks(ClusterSharding sharding, CurrentEventsByPersistenceIdQuery journal, ActorSystem<?> system, Duration timeout) {
    this.sharding = sharding;
    this.journal = journal;
    this.system = system;
    this.timeout = timeout;
  }

  public CompletionStage<SubscriptionEntity.Attached> seek(Catalog catalog, Catalog.Subscription subscription,
                                                           CursorMove move) {
    List<CompletableFuture<AckPoint>> points = new ArrayList<>();
    if (move instanceof CursorMove.AfterCursors after) {
      after.cursors().forEach(cursor -> points.add(after(cursor).toCompletableFuture()));
    } else {
      catalog.product(subscription.product()).map(catalog::partitionsOf).orElse(List.of())
          .forEach(partition -> points.add(pointOf(partition, move).toCompletableFuture()));
    }
    return CompletableFuture.allOf(points.toArray(CompletableFuture[]::new))
        .thenCompose(all -> ShardedAsk.<SubscriptionEntity.Command, SubscriptionEntity.Attached>ask(
            sharding.entityRefFor(SubscriptionEntity.ENTITY_KEY, subscription.id()),
            replyTo -> new SubscriptionEntity.MoveCursors(points.stream().map(CompletableFuture::join).toList(), replyTo),
            timeout, timeout.multipliedBy(3)));
  }

  private CompletionStage<AckPoint> pointOf(PartitionRef partition, CursorMove move) {
    if (move instanceof CursorMove.ToTime time) {
      return end(partition).thenCompose(last ->
          bisect(partition, new TimeSeek(time.at().toEpochMilli(), last.cursor().sequence()), last));
    }
    return move instanceof CursorMove.ToEnd ? end(partition) : start(partition);
  }

  /**
   * Just before the first entry the journal still holds, so a partition whose head retention
   * deleted starts at its oldest event without a {@code cursor_expired} notice: the consumer asked
   * for what is there.
   */
  private CompletionStage<AckPoint> start(PartitionRef partition) {
    return journal.currentEventsByPersistenceId(partition.persistenceId(), 1, Long.MAX_VALUE).take(1)
        .map(first -> before(partition, first.sequenceNr(), (EventsAppended) first.event()))
        .runWith(Sink.headOption(), system)
        .thenApply(first -> first.orElse(AckPoint.beginningOf(partition)));
  }

  private CompletionStage<AckPoint> end(PartitionRef partition) {
    return sharding.entityRefFor(TopicPartition.ENTITY_KEY, partition.entityId())
        .ask(TopicPartition.GetEnd::new, timeout);
  }

  /** Reads one probe after another until the entry is found; the point stands just before it. */
  private CompletionStage<AckPoint> bisect(PartitionRef partition, TimeSeek seek, AckPoint end) {
    if (seek.done()) {
      if (seek.found() > end.cursor().sequence()) {
        return CompletableFuture.completedFuture(end);
      }
      return entry(partition, seek.found()).thenApply(found -> before(partition, seek.found(),
          found.orElseThrow(() -> new Refusal("unavailable", "entry " + seek.found() + " of " + partition
              + " was deleted while the subscription was being moved; retry"))));
    }
    long probe = seek.probe();
    return entry(partition, probe).thenCompose(read -> {
      seek.observe(probe, read.map(EventsAppended::getAppendedAtMillis).orElse(-1L));
      return bisect(partition, seek, end);
    });
  }

  /** The point after {@code cursor}'s event, which must be in the partition's journal. */
  private CompletionStage<AckPoint> after(Cursor cursor) {
    return entry(cursor.partitionRef(), cursor.sequence()).thenApply(read -> {
      EventsAppended entry = read.filter(found -> cursor.index() < found.getEventsCount())
          .orElseThrow(() -> new Refusal("unknown_cursor", "cursor " + cursor.encode() + " names no event of its partition"));
      return new AckPoint(cursor, entry.getFirstOffset() + cursor.index());
    });
  }

  /** Just before the first event of entry {@code sequence}: as a stream stands before its first delivery. */
  private static AckPoint before(PartitionRef partition, long sequence, EventsAppended entry) {
    return new AckPoint(new Cursor(partition.topic(), partition.partition(), sequence - 1, Integer.MAX_VALUE),
        entry.getFirstOffset() - 1);
  }

  private CompletionStage<Optional<EventsAppended>> entry(PartitionRef partition, long sequence) {
    return journal.currentEventsByPersistenceId(partition.persistenceId(), sequence, sequence)
        .map(envelope -> (EventsAppended) envelope.event())
        .runWith(Sink.headOption(), system);
  }
}
