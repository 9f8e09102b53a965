package io.tollgate.broker.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.DeliveryObserver;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.AnalyticsRollup;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's minute record: what a frame of deliveries adds, counted per frame and equal to counting each delivery. */
class MinuteRecorderTest {
  private static final Instant NOW = Instant.parse("2026-12-07T08:00:30Z");
  private static final long T = NOW.toEpochMilli();
  private final MinuteRecorder recorder = new MinuteRecorder(Clock.fixed(NOW, ZoneOffset.UTC));

  private static Delivery appendedAt(long appendedAtMillis, int offset) {
    CloudEvent event = CloudEvent.newBuilder().setId("e" + offset).setSource("s").setType("t")
        .setTextData("x".repeat(offset)).build();
    return new Delivery(new Cursor("shop.orders", 0, 1, offset), offset, event, appendedAtMillis);
  }

  private Rollup subscriptionMinute() {
    List<AnalyticsRollup> taken = recorder.takeMinute(new Catalog(), NOW);
    return taken.stream().filter(r -> r.getDimension().equals(Dimension.SUBSCRIPTIONS.wireName()))
        .map(RollupProtos::rollupOf).findFirst().orElse(Rollup.EMPTY);
  }

  private void delivered(List<Delivery> frame) {
    recorder.delivered("sub_1", frame, DeliveryObserver.bytesOf(frame));
  }

  @Test
  void aFrameCountsItsEventsBytesAndEveryLatencyAsIfEachDeliveryWereCountedAlone() {
    List<Delivery> frame = new ArrayList<>(List.of(appendedAt(T - 5, 1), appendedAt(T - 5, 2), appendedAt(T - 5, 3),
        appendedAt(T - 7, 4), appendedAt(T - 7, 5), appendedAt(T - 5, 6), appendedAt(0, 7), appendedAt(T + 3, 8),
        appendedAt(T - 7_200_000, 9)));
    long bytes = frame.stream().mapToLong(d -> d.event().getSerializedSize()).sum();

    assertEquals(bytes, DeliveryObserver.bytesOf(frame), "a frame's bytes, summed once by the stream");

    recorder.delivered("sub_1", frame, DeliveryObserver.bytesOf(frame));

    Rollup minute = subscriptionMinute();
    assertEquals(9, minute.deliveredEvents());
    assertEquals(bytes, minute.deliveredBytes());
    assertEquals(Latency.of(5, 5, 5, 7, 7, 5, -3, 7_200_000), minute.latency(),
        "runs of equal latencies, one not known (left out), one in the future (0) and one over an hour (an hour)");
    assertEquals(8, minute.latency().count());
  }

  @Test
  void framesAddUpWithinTheMinuteAndTheNextMinuteStartsEmpty() {
    delivered(List.of(appendedAt(T - 10, 1), appendedAt(T - 10, 2)));
    delivered(List.of(appendedAt(T - 20, 3)));
    delivered(List.of());

    Rollup minute = subscriptionMinute();
    assertEquals(3, minute.deliveredEvents());
    assertEquals(Latency.of(10, 10, 20), minute.latency());
    assertEquals(Rollup.EMPTY, subscriptionMinute());
  }
}
