package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.client.Position;
import io.tollgate.client.TcpPublisher;
import io.tollgate.protocols.v1.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A producer that did not hear its acknowledgement before the node went down publishes again
 * after the node is back: the event is stored once, and the retry is answered with the first
 * copy's position. The node restarts on the same data directory, and the partition recovers
 * from a snapshot taken after the event, so the window is read back from the journal.
 */
class DedupAcrossRestartTest {
  /** A snapshot every 2 journal entries: the retried event lies behind the snapshot recovery starts from. */
  private static final Map<String, Object> SETTINGS = Map.of("tollgate.topics.snapshot-every", 2);

  private static Position publish(TestBroker broker, TestBroker.Tenancy t, CloudEvent event) throws Exception {
    try (TcpPublisher tcp = TcpPublisher.connect("127.0.0.1", broker.tcpPort(), t.producerKey())) {
      return tcp.publish(t.topic(), List.of(event)).get(10, TimeUnit.SECONDS).positions().get(0);
    }
  }

  @Test
  void aProducersRetryAfterTheNodeRestartsIsStoredOnceAndAnsweredWithTheFirstPosition() throws Exception {
    Path dataDir = Files.createTempDirectory("tollgate-dedup");
    CloudEvent retried = Events.event("/orders", "order-1", "k", "{\"n\":1}");
    TestBroker.Tenancy t;
    Position first;
    try (TestBroker broker = TestBroker.startIn(dataDir, SETTINGS, Clock.systemUTC())) {
      t = broker.tenancy("dedup", 1);
      first = publish(broker, t, retried);
      for (int n = 2; n <= 6; n++) {
        publish(broker, t, Events.event("/orders", "order-" + n, "k", "{\"n\":" + n + "}"));
      }
    }
    assertFalse(first.duplicate());

    try (TestBroker broker = TestBroker.startIn(dataDir, SETTINGS, Clock.systemUTC())) {
      Position retry = publish(broker, t, retried);
      assertTrue(retry.duplicate(), "answered as a duplicate: " + retry);
      assertEquals(first.offset(), retry.offset());
      assertEquals(first.cursor(), retry.cursor());
      Position next = publish(broker, t, Events.event("/orders", "order-7", "k", "{\"n\":7}"));
      assertEquals(first.offset() + 6, next.offset(), "nothing was stored for the retry");
    }
  }
}
