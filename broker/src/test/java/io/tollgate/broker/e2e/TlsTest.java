package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.tls.TestCertificates;
import io.tollgate.client.ClientTls;
import io.tollgate.client.Delivery;
import io.tollgate.client.HttpPublisher;
import io.tollgate.client.PublishResult;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the HTTP edge (HTTPS, WSS) and the TCP edge, over real sockets and through the SDK,
 * with certificates made by a throwaway CA: one node with server TLS, one that also requires
 * client certificates (mTLS).
 */
class TlsTest {
  @TempDir
  static Path dir;
  private static TestCertificates ca;
  private static TestCertificates otherCa;
  private static TestCertificates.Issued client;
  private static TestBroker tls;
  private static TestBroker mutual;
  private static Path tlsDataDir;

  @BeforeAll
  static void start() throws Exception {
    ca = TestCertificates.authority(dir, "tollgate-test");
    otherCa = TestCertificates.authority(dir, "someone-else");
    TestCertificates.Issued server = ca.issue("node");
    client = ca.issue("client");
    Map<String, Object> serverTls = Map.of(
        "tollgate.tls.cert-file", server.certFile().toString(),
        "tollgate.tls.key-file", server.keyFile().toString(),
        "tollgate.tcp.auth-timeout", "2s");
    tlsDataDir = dir.resolve("fresh").resolve("data");
    tls = TestBroker.startIn(tlsDataDir, serverTls, Clock.systemUTC());
    Map<String, Object> mutualTls = new java.util.HashMap<>(serverTls);
    mutualTls.put("tollgate.tls.client-ca-file", ca.caFile().toString());
    mutual = TestBroker.startIn(Files.createTempDirectory("tollgate-test"), mutualTls, Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    if (tls != null) tls.close();
    if (mutual != null) mutual.close();
  }

  private static ClientTls trusting() {
    return ClientTls.trustingCaPem(ca.caFile());
  }

  private static TollgateAdmin admin(TestBroker broker, ClientTls clientTls) {
    return new TollgateAdmin(broker.baseUrl(), broker.adminKey(), clientTls.httpClient());
  }

  @Test
  void anEventPublishedOverHttpsIsDeliveredOverWss() throws Exception {
    TestBroker.Tenancy t = TestBroker.tenancy(admin(tls, trusting()), "https", 1);
    List<Delivery> received = new CopyOnWriteArrayList<>();
    try (Subscriber s = Subscriber.builder(tls.baseUrl(), t.consumerKey(), t.subscription())
        .httpClient(trusting().httpClient()).onDelivery(received::add).connect();
         HttpPublisher publisher = new HttpPublisher(tls.baseUrl(), t.producerKey(), trusting().httpClient())) {
      assertTrue(tls.baseUrl().getScheme().equals("https"));
      PublishResult result = publisher.publish(t.topic(), Events.numbered("/https", 1, 3)).get();
      assertEquals(3, result.accepted());
      await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 3);
    }
  }

  @Test
  void anEventPublishedOverTlsTcpIsAcked() throws Exception {
    TestBroker.Tenancy t = TestBroker.tenancy(admin(tls, trusting()), "tlstcp", 1);
    try (TcpPublisher tcp = TcpPublisher.connect("localhost", tls.tcpPort(), t.producerKey(), 8, trusting())) {
      assertEquals(t.producer(), tcp.accountId());
      assertEquals(2, tcp.publish(t.topic(), Events.numbered("/tls-tcp", 1, 2)).get().accepted());
    }
  }

  @Test
  void aWrongKeyOverTlsTcpGetsTheBrokersErrorFrameBeforeTheClose() {
    TollgateException refused = assertThrows(TollgateException.class,
        () -> TcpPublisher.connect("localhost", tls.tcpPort(), "not-a-key", 8, trusting()));
    assertEquals("invalid_key", refused.code(), refused.getMessage());
  }

  @Test
  void aTlsNodesAsyncApiDocumentNamesWssAndHttpsServersForStreamsEventStreamsAndPublishing() {
    TestBroker.Tenancy t = TestBroker.tenancy(admin(tls, trusting()), "asyncapitls", 1);
    com.fasterxml.jackson.databind.JsonNode document = new TollgateAdmin(tls.baseUrl(), t.consumerKey(), trusting().httpClient())
        .get("/v1/products/" + t.product() + "/asyncapi");
    assertEquals("wss", document.at("/servers/websocket/protocol").asText());
    assertEquals("https", document.at("/servers/http/protocol").asText());
    assertEquals("https", document.at("/servers/sse/protocol").asText(), "server-sent events over HTTPS (h2 or HTTP/1.1)");
  }

  @Test
  void aPlaintextClientIsRefusedOnTheTlsPorts() {
    TollgateException tcp = assertThrows(TollgateException.class,
        () -> TcpPublisher.connect("127.0.0.1", tls.tcpPort(), tls.adminKey()));
    assertTrue(List.of(TollgateException.CONNECTION_FAILED, TollgateException.PROTOCOL_ERROR).contains(tcp.code()),
        tcp.getMessage());
    URI plainHttp = URI.create("http://127.0.0.1:" + tls.node().httpPort() + "/healthz");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(plainHttp).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void aTcpConnectionThatNeverStartsTheTlsHandshakeIsClosedAfterTheAuthTimeout() throws IOException {
    try (Socket silent = new Socket("127.0.0.1", tls.tcpPort())) {
      silent.setSoTimeout(15_000);
      long started = System.nanoTime();
      int read;
      try {
        read = silent.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      assertEquals(-1, read, "the broker closes the connection");
      assertTrue(waited.compareTo(Duration.ofSeconds(1)) > 0 && waited.compareTo(Duration.ofSeconds(12)) < 0,
          "closed by the 2 s auth timeout, after " + waited);
    }
  }

  @Test
  void theSdkRefusesABrokerWhoseCertificateAnotherCaSigned() {
    ClientTls wrongCa = ClientTls.trustingCaPem(otherCa.caFile());
    assertEquals(TollgateException.TLS_FAILED, assertThrows(TollgateException.class,
        () -> admin(tls, wrongCa).createAccount("never")).code());
    assertEquals(TollgateException.TLS_FAILED, assertThrows(TollgateException.class,
        () -> TcpPublisher.connect("localhost", tls.tcpPort(), tls.adminKey(), 8, wrongCa)).code());
    assertEquals(TollgateException.TLS_FAILED, assertThrows(TollgateException.class,
        () -> Subscriber.builder(tls.baseUrl(), tls.adminKey(), "sub_none").httpClient(wrongCa.httpClient())
            .onDelivery(delivery -> { }).connect()).code());
  }

  @Test
  void withClientCertificatesRequiredAClientWithOneIsServedOverHttpsAndTcp() throws Exception {
    ClientTls withCertificate = trusting().withClientCertificate(client.certFile(), client.keyFile());
    TestBroker.Tenancy t = TestBroker.tenancy(admin(mutual, withCertificate), "mtls", 1);
    try (TcpPublisher tcp = TcpPublisher.connect("localhost", mutual.tcpPort(), t.producerKey(), 8, withCertificate)) {
      assertEquals(1, tcp.publish(t.topic(), Events.numbered("/mtls", 1, 1)).get().accepted());
    }
  }

  @Test
  void withClientCertificatesRequiredAClientWithoutOneIsRefusedOverHttpsAndTcp() {
    assertEquals(TollgateException.TLS_FAILED, assertThrows(TollgateException.class,
        () -> admin(mutual, trusting()).createAccount("never")).code());
    TollgateException tcp = assertThrows(TollgateException.class,
        () -> TcpPublisher.connect("localhost", mutual.tcpPort(), mutual.adminKey(), 8, trusting()));
    assertEquals(TollgateException.TLS_FAILED, tcp.code(), tcp.getMessage());
  }

  @Test
  void withClientCertificatesRequiredAClientCertificateFromAnotherCaIsRefused() throws Exception {
    TestCertificates.Issued stranger = otherCa.issue("stranger");
    ClientTls withStrangersCertificate = trusting().withClientCertificate(stranger.certFile(), stranger.keyFile());
    assertEquals(TollgateException.TLS_FAILED, assertThrows(TollgateException.class,
        () -> admin(mutual, withStrangersCertificate).createAccount("never")).code());
    assertEquals(TollgateException.TLS_FAILED, assertThrows(TollgateException.class,
        () -> TcpPublisher.connect("localhost", mutual.tcpPort(), mutual.adminKey(), 8, withStrangersCertificate)).code());
  }

  @Test
  void aNodeCreatesItsDataDirectoryReadableByItsUserOnly() throws IOException {
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tlsDataDir)));
  }
}
