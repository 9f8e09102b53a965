package io.tollgate.broker.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionerTest {
  private static CloudEvent.Builder event(String id) {
    return CloudEvent.newBuilder().setSpecVersion("1.0").setSource("s").setId(id).setType("t");
  }

  private static AttributeValue text(String value) {
    return AttributeValue.newBuilder().setCeString(value).build();
  }

  @Test
  void eventsWithTheSamePartitionKeyShareAPartition() {
    int first = Partitioner.partitionOf(event("1").putAttributes("partitionkey", text("customer-7")).build(), 16);
    for (int i = 2; i < 50; i++) {
      assertEquals(first, Partitioner.partitionOf(event(Integer.toString(i)).putAttributes("partitionkey", text("customer-7")).build(), 16));
    }
  }

  @Test
  void thePartitionKeyWinsOverTheSubject() {
    CloudEvent a = event("1").putAttributes("partitionkey", text("k")).putAttributes("subject", text("x")).build();
    CloudEvent b = event("2").putAttributes("partitionkey", text("k")).putAttributes("subject", text("y")).build();
    assertEquals(Partitioner.partitionOf(a, 64), Partitioner.partitionOf(b, 64));
  }

  @Test
  void keylessEventsSpreadOverEveryPartitionAndARetryLandsOnTheSameOne() {
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 400; i++) {
      int partition = Partitioner.partitionOf(event("e" + i).build(), 8);
      assertEquals(partition, Partitioner.partitionOf(event("e" + i).build(), 8));
      used.add(partition);
    }
    assertEquals(8, used.size());
    assertTrue(used.stream().allMatch(p -> p >= 0 && p < 8));
  }
}
