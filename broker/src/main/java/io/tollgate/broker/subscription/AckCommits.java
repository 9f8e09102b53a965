package io.tollgate.broker.subscription;

import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A session's acks on their way to its subscription, wherever they come from (a WebSocket
 * frame, a posted ack, a {@code Last-Event-ID}): each is checked against what the session
 * delivered ({@link DeliveryTracker}), becomes a range that the subscription counts only if it
 * starts where the partition stands, and is answered once its commit is done, so an answer
 * that says committed means the usage is recorded. Acks are committed in groups, since each
 * commit costs a write of the usage journal and wakes the account's billing to read it.
 */
final class AckCommits {
  private AckCommits() {}

  /**
   * How acks become commits ({@link CommitGroups}): a commit leaves when {@code maxAcks}
   * accepted acks wait, or {@code interval} after the first of them, whichever comes first; a
   * commit unanswered after {@code attempt} is sent again, then after twice as long each time but
   * never more than twice {@code attempt}, until {@code deadline} (which outlasts the downing of a
   * dead node: an attempt lost to it is followed soon by one that reaches the shard's new home).
   * Acks that arrive while a commit is in flight join the next one.
   */
  record Grouping(int maxAcks, Duration interval, Duration attempt, Duration deadline) {
    Grouping {
      if (maxAcks < 1) {
        throw new IllegalArgumentException("a commit groups at least one ack: " + maxAcks);
      }
      if (interval.isNegative() || interval.isZero() || attempt.isNegative() || attempt.isZero()
          || deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("the interval, attempt and deadline of ack commits must be more than zero");
      }
    }
  }

  /**
   * An ack of {@code cursor}, and who hears its outcome: once committed when accepted, at once
   * otherwise. It never leaves the session's node.
   */
  record AckRequest(String cursor, Consumer<SubscriptionEntity.AckAnswer> answer)
      implements NoSerializationVerificationNeeded {}

  /** Where acks are summed into one range: a partition, in one billing period. */
  private record RangeKey(PartitionRef partition, String period) {}

  /**
   * Acks of one commit: the range per partition and period, in the order they were made (a
   * partition's range of one period before its range of the next), and who waits for the outcome.
   */
  private record PendingCommit(Map<RangeKey, SubscriptionEntity.AckRange> ranges,
                               List<Consumer<SubscriptionEntity.AckAnswer>> answers) {
    void add(PendingCommit later) {
      later.ranges.forEach((key, range) -> ranges.merge(key, range, SubscriptionEntity.AckRange::merge));
      answers.addAll(later.answers);
    }
  }

  /**
   * Acks become ranges from this session's previous ack of the partition (or where it attached),
   * counting the events it delivered in between and their bytes; ranges that arrive while a commit is in flight
   * are merged. Each accepted ack is answered once its commit is done. A commit the subscription
   * finds out of step ends the session: the consumer reconnects and resumes where the
   * subscription really stands. A commit that is not answered by the deadline ends it too. When
   * the acks end (the session is over), the acks still waiting are committed all the same: an ack
   * the session accepted is never dropped. A commit is sent again through {@link ShardedAsk}
   * because the subscription applies one twice as once: a range that ends where the partition
   * already stands adds nothing.
   */
  static Sink<AckRequest, NotUsed> sink(EntityRef<SubscriptionEntity.Command> entity, DeliveryTracker tracker,
                                        ActorRef<SubscriptionEntity.SessionSignal> signals,
                                        Map<PartitionRef, AckPoint> attachedAt, Grouping grouping,
                                        Supplier<String> periodNow) {
    Map<PartitionRef, Long> lastAckedOffset = new HashMap<>();
    attachedAt.forEach((partition, point) -> lastAckedOffset.put(partition, point.offset()));
    AtomicReference<SubscriptionEntity.AckAnswer> lastOutcome =
        new AtomicReference<>(SubscriptionEntity.AckAnswer.committed());
    return Flow.<AckRequest>create()
        .mapConcat(request -> toCommit(request, tracker).stream().map(ack -> {
          Map<RangeKey, SubscriptionEntity.AckRange> ranges = new LinkedHashMap<>();
          if (ack.outcome() == DeliveryTracker.AckOutcome.ACCEPTED) {
            long from = lastAckedOffset.getOrDefault(ack.point().partition(), -1L);
            lastAckedOffset.put(ack.point().partition(), ack.point().offset());
            String period = periodNow.get();
            ranges.put(new RangeKey(ack.point().partition(), period),
                new SubscriptionEntity.AckRange(from, ack.point(), ack.delivered(), ack.bytes(), period));
          }
          List<Consumer<SubscriptionEntity.AckAnswer>> answers = new ArrayList<>();
          answers.add(request.answer());
          return new PendingCommit(ranges, answers);
        }).toList())
        .via(new CommitGroups<PendingCommit>(grouping.maxAcks(), grouping.interval(), (pending, later) -> {
          pending.add(later);
          return pending;
        }))
        .mapAsync(1, pending -> pending.ranges().isEmpty()
            ? answerCovered(pending, lastOutcome.get())
            : ShardedAsk.<SubscriptionEntity.Command, SubscriptionEntity.Committed>ask(entity,
                replyTo -> new SubscriptionEntity.AdvanceCursors(List.copyOf(pending.ranges().values()), replyTo),
                grouping.attempt(), grouping.attempt().multipliedBy(2), grouping.deadline())
            .handle((committed, failure) -> {
              SubscriptionEntity.AckAnswer answer;
              if (failure != null) {
                answer = SubscriptionEntity.AckAnswer.refused("timeout", "the subscription did not confirm the ack in "
                    + "time; the stream ends, reconnect to resume after the last committed ack");
                signals.tell(new SubscriptionEntity.Ended(answer.code(), answer.message()));
              } else if (!committed.inSync()) {
                answer = SubscriptionEntity.AckAnswer.refused("resync", "another connection acknowledged further on "
                    + "this subscription, so this ack is not counted; reconnect to resume where it stands");
                signals.tell(new SubscriptionEntity.OutOfStep());
              } else {
                answer = SubscriptionEntity.AckAnswer.committed();
              }
              lastOutcome.set(answer);
              pending.answers().forEach(waiting -> waiting.accept(answer));
              return answer;
            }))
        .to(Sink.ignore());
  }

  /**
   * Acks that only repeat acks of this session (a consumer sending an ack again, a posted ack
   * retried): their answer is the outcome of the commit before them, which the single commit in
   * flight means is done, so none is answered committed while the ack that covers it still waits.
   */
  private static CompletionStage<SubscriptionEntity.AckAnswer> answerCovered(PendingCommit covered,
                                                                             SubscriptionEntity.AckAnswer outcome) {
    covered.answers().forEach(waiting -> waiting.accept(outcome));
    return CompletableFuture.completedFuture(outcome);
  }

  /**
   * The ack to commit: one the tracker accepts, or one an earlier ack of this session already
   * covers (it commits nothing and is answered with the commit that covers it). A refused ack is
   * answered at once.
   */
  private static Optional<DeliveryTracker.Ack> toCommit(AckRequest request, DeliveryTracker tracker) {
    Cursor cursor;
    try {
      cursor = Cursor.parse(request.cursor());
    } catch (IllegalArgumentException e) {
      request.answer().accept(SubscriptionEntity.AckAnswer.refused("malformed_cursor",
          "\"" + request.cursor() + "\" is not a cursor of this stream"));
      return Optional.empty();
    }
    DeliveryTracker.Ack ack = tracker.ack(cursor);
    if (ack.outcome() == DeliveryTracker.AckOutcome.UNKNOWN) {
      request.answer().accept(SubscriptionEntity.AckAnswer.refused("unknown_cursor",
          "cursor " + request.cursor() + " was not delivered on this connection"));
      return Optional.empty();
    }
    return Optional.of(ack);
  }
}
