package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection caps per account and per remote address, for TCP publish connections and WebSocket
 * streams together, over real sockets. Clients bind other loopback addresses (127.0.0.x all reach
 * the node on 127.0.0.1) so that each test has addresses of its own.
 */
class ConnectionLimitsTest {
  private static final int PER_ACCOUNT = 3;
  private static final int PER_ADDRESS = 5;
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.sessions.max-per-account", PER_ACCOUNT,
        "tollgate.sessions.max-per-address", PER_ADDRESS));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  // ---- TCP ------------------------------------------------------------------------------

  private static Socket tcpFrom(String localAddress) throws Exception {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), broker.tcpPort(), InetAddress.getByName(localAddress), 0);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static ServerFrame authenticate(Socket socket, String key) throws Exception {
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(key)).build());
    return read(socket);
  }

  private static ServerFrame read(Socket socket) throws Exception {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
  }

  private static void assertClosedAfterFatal(Socket socket, String code) throws Exception {
    ServerFrame error = read(socket);
    assertEquals(code, error.getError().getCode(), error.toString());
    assertTrue(error.getError().getFatal());
    assertEquals(-1, socket.getInputStream().read(), "the broker closes the connection");
  }

  private static void publishes(Socket socket, TestBroker.Tenancy tenancy) throws Exception {
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
        .setCorrelationId(9).setTopic(tenancy.topic())
        .addEvents(Events.event("/limits", "ok-" + System.nanoTime(), null, "{}"))).build());
    ServerFrame ack = read(socket);
    assertTrue(ack.hasAck(), ack.toString());
  }

  @Test
  void anAddressWithItsMostTcpConnectionsIsRefusedAtAcceptEvenBeforeTheyAuthenticateAndOthersAreServed() throws Exception {
    TestBroker.Tenancy other = broker.tenancy("addrother", 1);
    List<Socket> silent = new ArrayList<>();
    try (Socket bystander = tcpFrom("127.0.0.1")) {
      for (int i = 0; i < PER_ADDRESS; i++) {
        silent.add(tcpFrom("127.0.0.2"));
      }
      try (Socket oneTooMany = tcpFrom("127.0.0.2")) {
        assertClosedAfterFatal(oneTooMany, "too_many_connections_for_address");
      }
      assertTrue(authenticate(bystander, other.producerKey()).hasAuthenticated());
      publishes(bystander, other);

      silent.remove(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Socket again = tcpFrom("127.0.0.2")) {
          return authenticate(again, other.producerKey()).hasAuthenticated();
        }
      });
    } finally {
      for (Socket socket : silent) {
        socket.close();
      }
    }
  }

  @Test
  void anAccountWithItsMostSessionsIsRefusedAfterAuthenticatingAndOtherAccountsAreServed() throws Exception {
    TestBroker.Tenancy capped = broker.tenancy("acctcap", 1);
    TestBroker.Tenancy other = broker.tenancy("acctother", 1);
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ACCOUNT; i++) {
        Socket socket = tcpFrom("127.0.0.3");
        open.add(socket);
        assertTrue(authenticate(socket, capped.producerKey()).hasAuthenticated());
      }
      try (Socket oneTooMany = tcpFrom("127.0.0.4")) {
        ServerFrame refused = authenticate(oneTooMany, capped.producerKey());
        assertEquals("too_many_connections_for_account", refused.getError().getCode(), refused.toString());
        assertTrue(refused.getError().getFatal());
        assertEquals(-1, oneTooMany.getInputStream().read(), "the broker closes the connection");
      }
      try (Socket otherAccount = tcpFrom("127.0.0.4")) {
        assertTrue(authenticate(otherAccount, other.producerKey()).hasAuthenticated());
        publishes(otherAccount, other);
      }
      publishes(open.get(0), capped);

      open.remove(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Socket again = tcpFrom("127.0.0.4")) {
          return authenticate(again, capped.producerKey()).hasAuthenticated();
        }
      });
    } finally {
      for (Socket socket : open) {
        socket.close();
      }
    }
  }

  // ---- WebSocket ------------------------------------------------------------------------

  private static List<String> subscriptions(TestBroker.Tenancy tenancy, int count) {
    List<String> ids = new ArrayList<>(List.of(tenancy.subscription()));
    while (ids.size() < count) {
      ids.add(broker.admin().createSubscription(tenancy.consumer(), tenancy.product(), tenancy.plan(), "beginning")
          .get("id").asText());
    }
    return ids;
  }

  @Test
  void anAccountWithItsMostStreamsIsRefusedBeforeTheUpgradeWith429AndAFreedPlaceIsTakenAgain() throws Exception {
    TestBroker.Tenancy capped = broker.tenancy("streamcap", 1);
    TestBroker.Tenancy other = broker.tenancy("streamother", 1);
    List<String> ids = subscriptions(capped, PER_ACCOUNT + 1);
    List<RawHandshake> open = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ACCOUNT; i++) {
        open.add(RawHandshake.open(broker, "127.0.0.5", ids.get(i), capped.consumerKey()));
        assertEquals(101, open.get(i).status(), open.get(i).body());
      }
      try (RawHandshake refused = RawHandshake.open(broker, "127.0.0.6", ids.get(PER_ACCOUNT), capped.consumerKey())) {
        assertEquals(429, refused.status(), refused.body());
        assertEquals("too_many_connections_for_account", refused.errorCode());
      }
      try (RawWebSocket served = RawWebSocket.open(broker.baseUrl(), other.subscription(), other.consumerKey())) {
        assertEquals(202, broker.post("/v1/topics/" + other.topic() + "/events", other.producerKey(),
            "application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":1}")
            .status());
        await().atMost(Duration.ofSeconds(10)).until(() -> !served.events().isEmpty());
      }

      open.remove(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (RawHandshake again = RawHandshake.open(broker, "127.0.0.6", ids.get(PER_ACCOUNT), capped.consumerKey())) {
          return again.status() == 101;
        }
      });
    } finally {
      for (RawHandshake handshake : open) {
        handshake.close();
      }
    }
  }

  @Test
  void aHandshakeAbandonedBeforeTheUpgradeHoldsNoPlace() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("abandoned", 1);
    for (int i = 0; i < PER_ACCOUNT + 1; i++) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), broker.baseUrl().getPort(),
          InetAddress.getByName("127.0.0.9"), 0)) {
        socket.getOutputStream().write(("GET /v1/subscriptions/" + tenancy.subscription() + "/stream HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Authorization: Bearer " + tenancy.consumerKey() + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    await().atMost(Duration.ofSeconds(30)).until(() ->
        broker.get("/v1/accounts/" + tenancy.consumer() + "/sessions", broker.adminKey()).body().get("data").isEmpty());
    try (RawHandshake stream = RawHandshake.open(broker, "127.0.0.9", tenancy.subscription(), tenancy.consumerKey())) {
      assertEquals(101, stream.status(), stream.body());
    }
  }

  @Test
  void anAddressWithItsMostConnectionsOfEveryKindGetsNoStreamAndOtherAddressesDo() throws Exception {
    TestBroker.Tenancy tenancy = broker.tenancy("streamaddr", 1);
    List<Socket> silent = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        silent.add(tcpFrom("127.0.0.7"));
      }
      try (Socket oneTooMany = tcpFrom("127.0.0.7")) {
        // Connections are taken in order: once this one is refused, the silent ones are counted.
        assertClosedAfterFatal(oneTooMany, "too_many_connections_for_address");
      }
      try (RawHandshake refused = RawHandshake.open(broker, "127.0.0.7", tenancy.subscription(), tenancy.consumerKey())) {
        assertEquals(429, refused.status(), refused.body());
        assertEquals("too_many_connections_for_address", refused.errorCode());
      }
      try (RawHandshake served = RawHandshake.open(broker, "127.0.0.8", tenancy.subscription(), tenancy.consumerKey())) {
        assertEquals(101, served.status(), served.body());
      }
    } finally {
      for (Socket socket : silent) {
        socket.close();
      }
    }
    assertEquals(200, broker.get("/healthz", null).status(), "the node goes on");
  }
}
