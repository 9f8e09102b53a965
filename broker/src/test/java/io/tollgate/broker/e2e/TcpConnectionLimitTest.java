package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A bounded number of TCP connections: one more is told why and closed, and a freed place is reused. */
class TcpConnectionLimitTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.tcp.max-connections", 2));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static Socket connect() throws Exception {
    Socket socket = new Socket("127.0.0.1", broker.tcpPort());
    socket.setSoTimeout(10_000);
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(broker.adminKey())).build());
    return socket;
  }

  private static ServerFrame read(Socket socket) throws Exception {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
  }

  @Test
  void oneConnectionTooManyIsRefusedUntilAPlaceIsFree() throws Exception {
    try (Socket first = connect(); Socket second = connect()) {
      assertTrue(read(first).hasAuthenticated());
      assertTrue(read(second).hasAuthenticated());
      try (Socket third = connect()) {
        ServerFrame refused = read(third);
        assertEquals("too_many_connections", refused.getError().getCode());
        assertTrue(refused.getError().getFatal());
      }
      first.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Socket again = connect()) {
          return read(again).hasAuthenticated();
        }
      });
    }
  }
}
