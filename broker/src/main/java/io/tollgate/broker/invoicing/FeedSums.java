package io.tollgate.broker.invoicing;

import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * What one read of a journal gives the account's billing to persist: consecutive records that
 * land in the same place summed into one, so a read of many ack commits (or of many publishes)
 * is one billing write instead of one per entry. A sum carries its last entry's sequence number,
 * so it moves the journal's position past every entry it holds in the same write that counts
 * them: applied once, and never partly. Records that land in different places (another period,
 * another plan segment) stay apart, so the ledger's totals are what the single records would
 * have made them.
 */
final class FeedSums {
  private FeedSums() {}

  /**
   * Consecutive usage records of one subscription, period and plan segment, summed (events and
   * bytes); its time is the last one's.
   */
  static List<UsageRecorded> usage(List<UsageRecorded> records) {
    return summedRuns(records, UsageRecorded::toBuilder, FeedSums::sameUsagePlace,
        (sum, record) -> sum.setSequence(record.getSequence()).setUnits(sum.getUnits() + record.getUnits())
            .setBytes(sum.getBytes() + record.getBytes()).setAtMillis(record.getAtMillis()),
        UsageRecorded.Builder::build);
  }

  /** Consecutive publish records of one partition and period, summed. */
  static List<PublishedRecorded> published(List<PublishedRecorded> records) {
    return summedRuns(records, PublishedRecorded::toBuilder, FeedSums::samePublishPlace,
        (sum, record) -> sum.setSequence(record.getSequence()).setEvents(sum.getEvents() + record.getEvents())
            .setBytes(sum.getBytes() + record.getBytes()),
        PublishedRecorded.Builder::build);
  }

  /** One record per run of consecutive records that {@code same} puts in one place, each run added into its first. */
  private static <R, B> List<R> summedRuns(List<R> records, Function<R, B> start, BiPredicate<B, R> same,
                                           BiConsumer<B, R> add, Function<B, R> build) {
    List<R> sums = new ArrayList<>();
    B sum = null;
    for (R record : records) {
      if (sum != null && same.test(sum, record)) {
        add.accept(sum, record);
      } else {
        if (sum != null) {
          sums.add(build.apply(sum));
        }
        sum = start.apply(record);
      }
    }
    if (sum != null) {
      sums.add(build.apply(sum));
    }
    return sums;
  }

  private static boolean sameUsagePlace(UsageRecorded.Builder sum, UsageRecorded record) {
    return sum.getSubscription().equals(record.getSubscription()) && sum.getPeriod().equals(record.getPeriod())
        && sum.getPlan().equals(record.getPlan()) && sum.getPlanFromMillis() == record.getPlanFromMillis();
  }

  private static boolean samePublishPlace(PublishedRecorded.Builder sum, PublishedRecorded record) {
    return sum.getTopic().equals(record.getTopic()) && sum.getPartition() == record.getPartition()
        && Objects.equals(sum.getPeriod(), record.getPeriod());
  }
}
