package io.tollgate.broker.tcp;

import io.tollgate.broker.session.Ending;
import io.tollgate.broker.session.OpenSessions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a TCP connection's input says it must end: no frame for {@code idleTimeout}
 * ({@code idle_timeout}), or a frame begun and not finished within {@code frameTimeout}
 * ({@code frame_stalled}), so that a connection cannot hold its place, or a partial frame of
 * up to {@code max-frame-bytes}, forever. The connection's stage reports what each read did;
 * {@link OpenSessions} asks {@link #endingAt} with its other checks, so an idle connection costs
 * no timer of its own. A frame in progress is not idleness: only its own timeout applies.
 */
final class InputWatch implements OpenSessions.Rule {
  private final Duration idleTimeout;
  private final Duration frameTimeout;
  private Instant lastFrame;
  /** When the first byte of the frame in progress arrived; null when no frame is in progress. */
  private Instant partialSince;

  InputWatch(Duration idleTimeout, Duration frameTimeout, Instant openedAt) {
    this.idleTimeout = idleTimeout;
    this.frameTimeout = frameTimeout;
    this.lastFrame = openedAt;
  }

  /** Bytes arrived at {@code now}: they completed {@code frames} frames, and a frame is (still, or newly) in progress if {@code partial}. */
  synchronized void read(int frames, boolean partial, Instant now) {
    if (frames > 0) {
      lastFrame = now;
    }
    if (!partial) {
      partialSince = null;
    } else if (frames > 0 || partialSince == null) {
      partialSince = now;
    }
  }

  @Override
  public synchronized Optional<Ending> endingAt(Instant now) {
    if (partialSince != null) {
      Duration waited = Duration.between(partialSince, now);
      return waited.compareTo(frameTimeout) >= 0
          ? Optional.of(new Ending("frame_stalled", "a frame begun " + waited.toMillis()
              + " ms ago is not complete; a frame must arrive whole within " + frameTimeout.toMillis() + " ms"))
          : Optional.empty();
    }
    Duration idle = Duration.between(lastFrame, now);
    return idle.compareTo(idleTimeout) >= 0
        ? Optional.of(new Ending("idle_timeout", "no frame for " + idle.toMillis() + " ms; a connection idle for "
            + idleTimeout.toMillis() + " ms is closed, reconnect when there is something to publish"))
        : Optional.empty();
  }
}
