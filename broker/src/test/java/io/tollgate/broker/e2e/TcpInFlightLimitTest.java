package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code tollgate.tcp.max-in-flight-per-connection} over a real socket: a connection's publishes
 * past the bound wait in the socket rather than in the broker. The node is set so that any append
 * finding a write in flight on its partition is refused ({@code max-pending-bytes} 1, as in
 * {@link BufferLimitsTest}, where pipelined publishes are refused as overloaded): with one publish
 * in flight per connection, a pipelined burst never finds its own previous write still running.
 */
class TcpInFlightLimitTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.topics.max-pending-bytes", 1,
        "tollgate.tcp.max-in-flight-per-connection", 1));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  @Test
  void aPipelinedBurstIsTakenOnePublishAtATimeSoNoneFindsItsPredecessorsWriteInFlight() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("inflight", 1);
    int publishes = 100;
    try (Socket socket = new Socket("127.0.0.1", broker.tcpPort())) {
      socket.setSoTimeout(20_000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
          .setAuthenticate(Authenticate.newBuilder().setApiKey(tenancy.producerKey())).build());
      assertTrue(ServerFrame.parseFrom(Frames.read(in, 1 << 20)).hasAuthenticated());
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      for (int i = 1; i <= publishes; i++) {
        Frames.write(burst, ClientFrame.newBuilder().setPublish(Publish.newBuilder().setCorrelationId(i)
            .setTopic(tenancy.topic()).addEvents(Events.event("/burst", "e" + i, null, "{\"n\":1}"))).build());
      }
      socket.getOutputStream().write(burst.toByteArray());
      socket.getOutputStream().flush();
      List<Long> acked = new ArrayList<>();
      for (int i = 0; i < publishes; i++) {
        ServerFrame answer = ServerFrame.parseFrom(Frames.read(in, 1 << 20));
        assertTrue(answer.hasAck(), "publish " + (i + 1) + " of the burst: " + answer);
        acked.add(answer.getAck().getCorrelationId());
      }
      assertEquals(LongStream.rangeClosed(1, publishes).boxed().toList(), acked,
          "one publish in flight at a time is answered in the order sent");
    }
  }
}
