package io.tollgate.broker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.node.TollgateNode;
import io.tollgate.client.TollgateAdmin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A real node on free loopback ports and a fresh data directory, for end-to-end tests. */
public final class TestBroker implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TollgateNode node;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Every message an actor is sent goes through its serializer, as if it crossed nodes: a
   * message type without a Protobuf mapping fails the test here, not in a cluster. Messages
   * that never leave their node say so with NoSerializationVerificationNeeded.
   */
  public static final Config VERIFY_SERIALIZATION = ConfigFactory.parseString("""
      pekko.actor.serialize-messages = on
      pekko.actor.serialize-creators = off
      """);

  private TestBroker(TollgateNode node) {
    this.node = node;
  }

  public static TestBroker start(Map<String, Object> settings) throws Exception {
    return start(settings, Clock.systemUTC());
  }

  public static TestBroker start(Map<String, Object> settings, Clock clock) throws Exception {
    return startIn(Files.createTempDirectory("tollgate-test"), settings, clock);
  }

  /** A node whose data directory is {@code dataDir}, which the node creates when it does not exist. */
  public static TestBroker startIn(Path dataDir, Map<String, Object> settings, Clock clock) throws Exception {
    Config overrides = ConfigFactory.parseMap(Map.of(
            "tollgate.http.port", 0, "tollgate.tcp.port", 0, "tollgate.management.port", 0,
            "tollgate.data-dir", dataDir.toString()))
        .withFallback(ConfigFactory.parseMap(settings))
        .withFallback(VERIFY_SERIALIZATION);
    return new TestBroker(TollgateNode.start(TollgateNode.configure(overrides), clock));
  }

  public static TestBroker start() throws Exception {
    return start(Map.of());
  }

  public URI baseUrl() {
    return URI.create((node.settings().tls().isPresent() ? "https" : "http") + "://127.0.0.1:" + node.httpPort());
  }

  public int tcpPort() {
    return node.tcpPort();
  }

  public String adminKey() {
    return node.adminKey().secret();
  }

  public TollgateAdmin admin() {
    return new TollgateAdmin(baseUrl(), adminKey());
  }

  public TollgateNode node() {
    return node;
  }

  /** A plain HTTP exchange, for tests that check exactly what the broker answers. */
  public Reply send(String method, String path, String key, String contentType, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl().resolve(path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
    return new Reply(response.statusCode(), json);
  }

  public Reply post(String path, String key, String contentType, String body) throws IOException, InterruptedException {
    return send("POST", path, key, contentType, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public Reply get(String path, String key) throws IOException, InterruptedException {
    return send("GET", path, key, null, null);
  }

  public record Reply(int status, JsonNode body) {
    public String errorCode() {
      return body == null || !body.has("error") ? null : body.get("error").get("code").asText();
    }
  }

  /** A tenancy whose plan is given as JSON (PRODUCT.md's plan body). */
  public Tenancy tenancy(String domain, int partitions, String planJson) throws IOException {
    return tenancy(admin(), domain, partitions, planJson);
  }

  /** A tenancy subscribed under a plan given as JSON, made with the client's admin helper. */
  public static Tenancy tenancy(TollgateAdmin admin, String domain, int partitions, String planJson) throws IOException {
    Tenancy base = tenancy(admin, domain, partitions);
    String plan = admin.createPlan(base.product(), (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(planJson))
        .get("id").asText();
    String subscription = admin.createSubscription(base.consumer(), base.product(), plan, "beginning").get("id").asText();
    return new Tenancy(base.producer(), base.producerKey(), base.consumer(), base.consumerKey(), base.topic(),
        base.product(), plan, subscription);
  }

  public record Tenancy(String producer, String producerKey, String consumer, String consumerKey, String topic,
                        String product, String plan, String subscription) {}

  /**
   * A producer and a consumer account with keys, a topic, a public product (the consumer buys
   * from the producer), a plan and a subscription.
   */
  public Tenancy tenancy(String domain, int partitions) {
    return tenancy(admin(), domain, partitions);
  }

  public static Tenancy tenancy(TollgateAdmin admin, String domain, int partitions) {
    String producer = admin.createAccount(domain + " producer").get("id").asText();
    String producerKey = admin.createKey(producer, List.of("admin", "publish", "read")).get("secret").asText();
    String consumer = admin.createAccount(domain + " consumer").get("id").asText();
    String consumerKey = admin.createKey(consumer, List.of("subscribe", "read")).get("secret").asText();
    admin.createDomain(domain, producer);
    String topic = domain + ".orders";
    admin.createTopic(topic, domain, partitions);
    String product = admin.createProduct(domain + " orders", producer, List.of(topic), "public").get("id").asText();
    String plan = admin.createPerUnitPlan(product, "basic", "USD", "0.001").get("id").asText();
    String subscription = admin.createSubscription(consumer, product, plan, "beginning").get("id").asText();
    return new Tenancy(producer, producerKey, consumer, consumerKey, topic, product, plan, subscription);
  }

  @Override
  public void close() throws Exception {
    node.stop();
  }
}
