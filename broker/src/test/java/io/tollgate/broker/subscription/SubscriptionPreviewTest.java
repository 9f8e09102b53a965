package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionPreviewTest {
  private static SubscriptionPreview.Written written(int partition, long offset, long at) {
    return new SubscriptionPreview.Written(new Delivery(new Cursor("t", partition, offset + 1, 0), offset,
        CloudEvent.newBuilder().setId(partition + "-" + offset).build()), at);
  }

  private static List<String> ids(List<Delivery> deliveries) {
    return deliveries.stream().map(delivery -> delivery.event().getId()).toList();
  }

  @Test
  void theNewestOfAllPartitionsAreKeptOldestFirst() {
    List<Delivery> newest = SubscriptionPreview.newestAcross(List.of(
        List.of(written(0, 0, 100), written(0, 1, 300), written(0, 2, 500)),
        List.of(written(1, 0, 200), written(1, 1, 400))), 3);
    assertEquals(List.of("0-1", "1-1", "0-2"), ids(newest));
  }

  @Test
  void eventsWrittenAtTheSameMomentKeepTheirPartitionsOrder() {
    List<Delivery> newest = SubscriptionPreview.newestAcross(List.of(
        List.of(written(1, 5, 100), written(1, 6, 100)), List.of(written(0, 9, 100))), 10);
    assertEquals(List.of("0-9", "1-5", "1-6"), ids(newest));
  }

  @Test
  void fewerEventsThanTheLimitAreAllShown() {
    assertEquals(List.of("0-0"), ids(SubscriptionPreview.newestAcross(List.of(List.of(written(0, 0, 1)), List.of()), 20)));
    assertEquals(List.of(), SubscriptionPreview.newestAcross(List.of(), 20));
  }
}
