package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Buffers bounded in bytes, over real sockets: appends waiting behind a partition's write
 * (partition_overloaded past max-pending-bytes), and a stream's journal reads (max-bytes-per-read,
 * which bounds a read without losing or reordering anything).
 */
class BufferLimitsTest {
  private static TestBroker broker;

  /** Nothing may wait behind a write in flight: every append that finds one is refused. */
  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.topics.max-pending-bytes", 1,
        "tollgate.subscriptions.max-bytes-per-read", 1));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static Socket authenticated(String key) throws Exception {
    Socket socket = new Socket("127.0.0.1", broker.tcpPort());
    socket.setSoTimeout(20_000);
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(key)).build());
    assertTrue(read(socket).hasAuthenticated());
    return socket;
  }

  private static ServerFrame read(Socket socket) throws Exception {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
  }

  private static ClientFrame publish(TestBroker.Tenancy tenancy, long correlationId) {
    return ClientFrame.newBuilder().setPublish(Publish.newBuilder().setCorrelationId(correlationId)
        .setTopic(tenancy.topic()).addEvents(Events.event("/flood", "e" + correlationId, null, "{\"n\":1}"))).build();
  }

  @Test
  void appendsPastAPartitionsPendingBytesAreRefusedAsOverloadedAndTheConnectionAndOthersGoOn() throws Exception {
    TestBroker.Tenancy flooding = broker.tenancy("flood", 1);
    TestBroker.Tenancy other = broker.tenancy("floodother", 1);
    int publishes = 100;
    try (Socket socket = authenticated(flooding.producerKey())) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int i = 1; i <= publishes; i++) {
        Frames.write(all, publish(flooding, i));
      }
      socket.getOutputStream().write(all.toByteArray());
      socket.getOutputStream().flush();
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < publishes; i++) {
        ServerFrame answer = read(socket);
        assertFalse(answer.hasError() && answer.getError().getFatal(), answer.toString());
        answers.add(answer.hasAck() ? "ack" : answer.getError().getCode());
      }
      assertTrue(answers.contains("partition_overloaded"), answers.toString());
      assertTrue(answers.stream().allMatch(a -> a.equals("ack") || a.equals("partition_overloaded")), answers.toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        Frames.write(socket.getOutputStream(), publish(flooding, 1000));
        return read(socket).hasAck();
      });
    }
    TestBroker.Reply served = broker.post("/v1/topics/" + other.topic() + "/events", other.producerKey(),
        "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"o\",\"source\":\"/s\",\"type\":\"t\",\"data\":1}");
    assertEquals(202, served.status(), String.valueOf(served.body()));
  }

  @Test
  void aStreamReadingOneEntryAtATimeGetsEveryEventInOrder() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("smallreads", 1);
    try (Socket socket = authenticated(tenancy.producerKey())) {
      for (int i = 0; i < 20; i++) {
        Publish.Builder publish = Publish.newBuilder().setCorrelationId(i).setTopic(tenancy.topic());
        Events.numbered("/reads", i * 5, 5).forEach(publish::addEvents);
        Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(publish).build());
        assertTrue(read(socket).hasAck());
      }
    }
    try (RawWebSocket stream = RawWebSocket.open(broker.baseUrl(), tenancy.subscription(), tenancy.consumerKey())) {
      await().atMost(Duration.ofSeconds(20)).until(() -> stream.events().size() >= 100);
      List<String> ids = stream.events().stream().map(event -> event.get("event").get("id").asText()).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add("e" + i);
      }
      assertEquals(expected, ids);
    }
  }
}
