package io.tollgate.broker.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.session.Ending;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** When a TCP connection's input ends it: idle, or stalled inside a frame; and what the decoder tells about partial frames. */
class InputWatchTest {
  private static final Instant OPENED = Instant.parse("2026-12-06T20:00:00Z");
  private final InputWatch watch = new InputWatch(Duration.ofMinutes(5), Duration.ofSeconds(30), OPENED);

  private static Optional<String> code(Optional<Ending> ending) {
    return ending.map(Ending::code);
  }

  @Test
  void aConnectionWithoutAFrameForTheIdleTimeoutEndsAndEachFrameStartsTheWaitAgain() {
    assertEquals(Optional.empty(), watch.endingAt(OPENED.plus(Duration.ofMinutes(5)).minusMillis(1)));
    watch.read(1, false, OPENED.plusSeconds(60));
    assertEquals(Optional.empty(), watch.endingAt(OPENED.plusSeconds(60 + 299)));
    assertEquals(Optional.of("idle_timeout"), code(watch.endingAt(OPENED.plusSeconds(60 + 300))));
  }

  @Test
  void aFrameBegunAndNotFinishedWithinTheFrameTimeoutEndsItsConnectionButIsNotIdleness() {
    watch.read(0, true, OPENED.plusSeconds(10));
    assertEquals(Optional.empty(), watch.endingAt(OPENED.plusSeconds(39)));
    watch.read(0, true, OPENED.plusSeconds(39));
    assertEquals(Optional.of("frame_stalled"), code(watch.endingAt(OPENED.plusSeconds(40))),
        "more bytes of the same frame do not start its wait again");
  }

  @Test
  void aFrameFinishedInTimeClearsTheStallAndTheNextFrameInTheSameReadStartsItsOwnWait() {
    watch.read(0, true, OPENED.plusSeconds(10));
    watch.read(1, true, OPENED.plusSeconds(35));
    assertEquals(Optional.empty(), watch.endingAt(OPENED.plusSeconds(64)));
    assertEquals(Optional.of("frame_stalled"), code(watch.endingAt(OPENED.plusSeconds(65))));
    watch.read(1, false, OPENED.plusSeconds(64));
    assertEquals(Optional.empty(), watch.endingAt(OPENED.plusSeconds(65)));
  }

  @Test
  void theDecoderTellsWhetherAFrameIsInProgress() {
    FrameDecoder decoder = new FrameDecoder(1024);
    assertFalse(decoder.partial());
    decoder.feed(ByteString.fromArray(new byte[] {0, 0}));
    assertTrue(decoder.partial(), "half a length prefix");
    decoder.feed(ByteString.fromArray(new byte[] {0, 2, 7}));
    assertTrue(decoder.partial(), "a length and one byte of two");
    assertEquals(1, decoder.feed(ByteString.fromArray(new byte[] {7})).size());
    assertFalse(decoder.partial());
    decoder.feed(ByteString.fromArray(new byte[] {1, 0, 0, 0}));
    assertFalse(decoder.partial(), "after frame_too_large nothing is held");
  }
}
