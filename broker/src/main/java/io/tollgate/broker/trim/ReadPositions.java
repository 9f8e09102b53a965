package io.tollgate.broker.trim;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A reader that journals must not be trimmed ahead of, and that topic retention waits for: how
 * far it has durably read each journal it follows. Billing (usage and publish metering), the
 * analytics read side, the audit log and the billing verification's copy each implement it; a
 * journal is trimmed only up to the lowest position of the readers that follow it
 * ({@link ReaderFloors}). A journal a reader follows but has not read yet is at 0, so nothing of
 * it may go.
 */
public interface ReadPositions {

  /** A short name for logs and metrics: {@code billing}, {@code analytics}, {@code audit}, {@code verification}. */
  String name();

  /**
   * Of {@code journals} (persistence ids), those this reader follows, each with the last sequence
   * number it has read and will not need again (0 when none). A journal it does not follow is
   * absent. A reader may read first (catch up), then answer.
   */
  CompletionStage<Map<String, Long>> positionsIn(Collection<String> journals);
}
