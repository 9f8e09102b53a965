package io.tollgate.broker.analytics;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A reader that journals must not be trimmed ahead of: how far it has read each journal it
 * follows. Journal retention trims a journal only up to the lowest position its readers report;
 * a journal a reader follows but has not listed yet has been read from nowhere, so nothing of
 * it may be trimmed for that reader.
 */
public interface ReadPositions {
  /** The last sequence number read, by persistence id ({@code TopicPartition|t|p}, {@code Subscription|…}, {@code AccountBilling|…}). */
  CompletionStage<Map<String, Long>> readPositions();

  /** The journals this reader follows today, read or not. */
  java.util.List<String> followedJournals();
}
