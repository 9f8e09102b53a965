package io.tollgate.broker.invoicing;

import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A child of {@link AccountBilling} that reads the account's journals, each by persistence id in
 * sequence-number order from the last position applied: its subscriptions' usage journals and
 * its topics' partition journals. A read sums what it read ({@link FeedSums}: one record per
 * period and plan segment, or per period, for up to {@link #ENTRIES_PER_SUM} entries) and gives
 * each sum to the parent ({@code RecordUsage}, {@code RecordPublished}), which persists it once.
 * Which reads run and who waits for them is
 * {@link FeedRuns}: a waiter is answered by the first read that started after it asked, and a
 * failed read answers its waiters with the failure.
 *
 * <p>A partition's writes are also announced to it ({@link Written}). Announced entries that
 * follow on from the partition's position are metered from their summaries, in a run of their
 * own, without reading the entries back: a read decodes every event of every entry, which at
 * full load is as much work as the write path's, and the first read after a while of publishing
 * (a new account's first period-close tick) took the node's heap and stalled publishing for
 * seconds (docs/benchmarks.md). Entries announced while a run of their partition is going wait
 * for it ({@link AnnouncedWrites}); a gap (an announcement lost or dropped) is read from the journal.
 */
final class JournalFollower {
  private JournalFollower() {}

  /**
   * Most journal entries in one summed record: a long read (a catch-up after an outage) keeps
   * what it applied every so many entries, should it fail later, and holds only that many
   * small records at a time.
   */
  static final int ENTRIES_PER_SUM = 1000;

  sealed interface Command extends NoSerializationVerificationNeeded {}

  /**
   * Read {@code journals} to their ends, from at least {@code positions}; then tell
   * {@code whenAllRead}, or {@code whenFailed} if any read failed.
   */
  record Read(List<String> journals, Map<String, Long> positions, ActorRef<Done> whenAllRead,
              ActorRef<ReadFailed> whenFailed) implements Command {}

  /**
   * Partition entries as their partitions announced them, and the parent's positions of their
   * journals (which may be ahead of this child's after a restart).
   */
  record Written(List<PartitionAdvanced> entries, Map<String, Long> positions) implements Command {}

  /**
   * Most journals read at once. Each read asks the billing to persist its sums, one persist at a
   * time; a period's close that read a thousand usage journals at once queued a thousand asks,
   * which timed out behind each other, failed the close, and came back at the next tick.
   */
  static final int MAX_READS_AT_ONCE = 16;

  /** Most announced entries of one partition waiting for a run of it to end: some minutes of writes. */
  static final int MAX_WAITING_ANNOUNCED = 100_000;

  /** Some journal of a {@link Read} could not be read to its end. */
  record ReadFailed() implements NoSerializationVerificationNeeded {}

  private record RunEnded(String journal, long lastSequence, Throwable failure) implements Command {}

  static Behavior<Command> create(ActorRef<AccountBilling.Command> billing, CatalogView view,
                                  CurrentEventsByPersistenceIdQuery journal, PeriodScheme periods, Duration timeout) {
    return Behaviors.setup(context -> new Following(context, billing, view, journal, periods, timeout).behavior());
  }

  private static final class Following {
    private final ActorContext<Command> context;
    private final ActorRef<AccountBilling.Command> billing;
    private final CatalogView view;
    private final CurrentEventsByPersistenceIdQuery journal;
    private final PeriodScheme periods;
    private final Duration timeout;
    private final FeedRuns runs = new FeedRuns(MAX_READS_AT_ONCE);
    private final AnnouncedWrites announced = new AnnouncedWrites(MAX_WAITING_ANNOUNCED);
    /** How far each journal is applied, as far as this child knows. */
    private final Map<String, Long> positions = new HashMap<>();

    Following(ActorContext<Command> context, ActorRef<AccountBilling.Command> billing, CatalogView view,
              CurrentEventsByPersistenceIdQuery journal, PeriodScheme periods, Duration timeout) {
      this.context = context;
      this.billing = billing;
      this.view = view;
      this.journal = journal;
      this.periods = periods;
      this.timeout = timeout;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Read.class, read -> {
            read.positions().forEach((journalId, position) -> positions.merge(journalId, position, Math::max));
            FeedRuns.Gather waiter = new FeedRuns.Gather(read.journals().size(), allRead -> {
              if (allRead) {
                read.whenAllRead().tell(Done.getInstance());
              } else {
                read.whenFailed().tell(new ReadFailed());
              }
            });
            for (String journalId : read.journals()) {
              if (runs.request(journalId, waiter)) {
                run(journalId);
              }
            }
            return Behaviors.same();
          })
          .onMessage(Written.class, written -> {
            written.positions().forEach((journalId, position) -> positions.merge(journalId, position, Math::max));
            written.entries().forEach(entry -> announced.add(entry, positions.getOrDefault(entry.getPersistenceId(), 0L)));
            written.positions().keySet().forEach(this::meterAnnounced);
            return Behaviors.same();
          })
          .onMessage(RunEnded.class, ended -> {
            if (ended.failure() != null) {
              context.getLog().warn("reading the journal {} failed; the next read retries", ended.journal(), ended.failure());
            } else {
              positions.merge(ended.journal(), ended.lastSequence(), Math::max);
            }
            runs.finished(ended.journal(), ended.failure() == null).forEach(this::run);
            announced.journals().forEach(this::meterAnnounced);
            return Behaviors.same();
          })
          .build();
    }

    /**
     * Meters the announced entries of a partition, once no run reads it and there is room for
     * one: from their summaries when they follow on from its position, else by reading its
     * journal from there.
     */
    private void meterAnnounced(String partitionJournal) {
      if (!runs.canStart(partitionJournal)) {
        return;
      }
      long position = positions.getOrDefault(partitionJournal, 0L);
      List<PartitionAdvanced> entries = announced.takeAfter(partitionJournal, position);
      if (entries.isEmpty()) {
        return;
      }
      runs.request(partitionJournal, new FeedRuns.Gather(1, allRead -> { }));
      if (!AnnouncedWrites.followOn(position, entries)) {
        run(partitionJournal);
        return;
      }
      PartitionRef partition = PartitionRef.fromPersistenceId(partitionJournal);
      CompletionStage<Long> last = recordPublished(Source.from(entries).map(entry -> published(partition,
          entry.getSequenceNr(), entry.getAppendedAtMillis(), entry.getEvents(), entry.getBytes())), position);
      context.pipeToSelf(last, (sequence, failure) ->
          new RunEnded(partitionJournal, failure == null ? sequence : position, failure));
    }

    /** Reads one journal from its position on: a subscription's usage, or a topic partition's events. */
    private void run(String journalId) {
      long position = positions.getOrDefault(journalId, 0L);
      CompletionStage<Long> last = PartitionRef.isPersistenceId(journalId)
          ? readPartition(journalId, position) : readUsage(journalId, position);
      context.pipeToSelf(last, (sequence, failure) -> new RunEnded(journalId, failure == null ? sequence : position, failure));
    }

    private CompletionStage<Long> readPartition(String partitionJournal, long position) {
      PartitionRef partition = PartitionRef.fromPersistenceId(partitionJournal);
      return recordPublished(journal.currentEventsByPersistenceId(partitionJournal, position + 1, Long.MAX_VALUE)
          .map(envelope -> {
            EventsAppended appended = (EventsAppended) envelope.event();
            long bytes = appended.getEventsList().stream().mapToLong(CloudEvent::getSerializedSize).sum();
            return published(partition, envelope.sequenceNr(), appended.getAppendedAtMillis(),
                appended.getEventsCount(), bytes);
          }), position);
    }

    private PublishedRecorded published(PartitionRef partition, long sequence, long appendedAtMillis, int events,
                                        long bytes) {
      return PublishedRecorded.newBuilder().setTopic(partition.topic()).setPartition(partition.partition())
          .setSequence(sequence).setPeriod(periods.periodOf(Instant.ofEpochMilli(appendedAtMillis)).id())
          .setEvents(events).setBytes(bytes).build();
    }

    /** Hands the records to the billing as sums, one at a time; completes with the last sequence recorded. */
    private CompletionStage<Long> recordPublished(Source<PublishedRecorded, NotUsed> records, long position) {
      return records
          .grouped(ENTRIES_PER_SUM)
          .mapConcat(FeedSums::published)
          .mapAsync(1, published -> AskPattern.<AccountBilling.Command, Done>ask(billing,
                  replyTo -> new AccountBilling.RecordPublished(published, replyTo), timeout, context.getSystem().scheduler())
              .thenApply(done -> published.getSequence()))
          .runWith(Sink.fold(position, (previous, sequence) -> sequence), context.getSystem());
    }

    private CompletionStage<Long> readUsage(String subscription, long position) {
      return journal.currentEventsByPersistenceId(SubscriptionEntity.persistenceId(subscription), position + 1, Long.MAX_VALUE)
          .map(envelope -> {
            CursorsAdvanced advanced = (CursorsAdvanced) envelope.event();
            Invoicing.PlanSegmentKey segment = view.catalog().subscription(subscription)
                .map(s -> Invoicing.segmentAt(s, Instant.ofEpochMilli(advanced.getAtMillis())))
                .orElseThrow(() -> new IllegalStateException("subscription " + subscription + " is not in this node's catalog yet"));
            return UsageRecorded.newBuilder().setSubscription(subscription)
                .setSequence(envelope.sequenceNr()).setPeriod(advanced.getPeriod())
                .setUnits(advanced.getUnits()).setBytes(advanced.getBytes()).setAtMillis(advanced.getAtMillis())
                .setPlan(segment.plan()).setPlanFromMillis(segment.from().toEpochMilli()).build();
          })
          .grouped(ENTRIES_PER_SUM)
          .mapConcat(FeedSums::usage)
          .mapAsync(1, usage -> AskPattern.<AccountBilling.Command, Done>ask(billing,
                  replyTo -> new AccountBilling.RecordUsage(usage, replyTo), timeout, context.getSystem().scheduler())
              .thenApply(done -> usage.getSequence()))
          .runWith(Sink.fold(position, (previous, sequence) -> sequence), context.getSystem());
    }
  }
}
