package io.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.broker.webhook.WebhookSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * The webhook mode's receiver: endpoints on loopback inside the load generator, each a JDK
 * {@link HttpServer} on a port of its own (so that, to the broker, each is a host of its own with
 * its own connection pool, as distinct receivers would be), all served by one thread pool. Each
 * request's Standard Webhooks signature is checked with its endpoint's secret, with the node's own
 * {@link WebhookSignature#verifies}; a request that fails the check is answered {@code 401} and
 * counted, anything else {@code 200}. Every event of the run is recorded per endpoint and
 * partition: received once, offsets rising, and its latency from when it was published.
 */
final class WebhookEndpoints implements AutoCloseable {
  /** One endpoint's and partition's shortfall: events lost, received more than once, or after a later offset. */
  record Problem(int endpoint, int partition, long lost, long duplicates, long outOfOrder) {}

  /** What the endpoints saw, in all and where something went wrong. */
  record Check(LoadGenerator.DeliveryCheck total, long requests, long badSignatures, long fewestReceived,
               long mostReceived, List<Problem> problems) {
    boolean ok() {
      return total.ok() && badSignatures == 0;
    }
  }

  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService threads;
  private final Endpoint[] endpoints;
  private final String idPrefix;
  private final String primingPrefix;
  private final int total;
  private final IntervalLatency latency;
  private final LongAdder requests = new LongAdder();
  private final LongAdder badSignatures = new LongAdder();
  private volatile LongUnaryOperator publishedAt;

  /**
   * {@code count} endpoints for the events whose ids start with {@code idPrefix}, {@code total} of
   * them; an event whose id starts with {@code primingPrefix} only shows that its endpoint receives.
   */
  WebhookEndpoints(int count, String idPrefix, String primingPrefix, int total, IntervalLatency latency) {
    this.idPrefix = idPrefix;
    this.primingPrefix = primingPrefix;
    this.total = total;
    this.latency = latency;
    AtomicInteger threadNumber = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(Math.max(4, 4 * Runtime.getRuntime().availableProcessors()), task -> {
      Thread thread = new Thread(task, "loadgen-webhook-receiver-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    this.endpoints = new Endpoint[count];
    try {
      for (int i = 0; i < count; i++) {
        Endpoint endpoint = new Endpoint(total);
        endpoints[i] = endpoint;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
        server.setExecutor(threads);
        server.createContext("/hooks", exchange -> handle(exchange, endpoint));
        server.start();
        servers.add(server);
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("could not open a webhook endpoint on loopback", e);
    }
  }

  int count() {
    return endpoints.length;
  }

  /** Where endpoint {@code endpoint} (0 to count - 1) receives. */
  String url(int endpoint) {
    return "http://127.0.0.1:" + servers.get(endpoint).getAddress().getPort() + "/hooks/" + endpoint;
  }

  /** The signing secret of endpoint {@code endpoint}, {@code whsec_…}, as its subscription's creation showed it. */
  void secret(int endpoint, String shown) {
    endpoints[endpoint].secret = shown;
  }

  /** From now on, record each event's latency from {@code publishedAt.applyAsLong(index)} (System.nanoTime()). */
  void timeFrom(LongUnaryOperator publishedAt) {
    this.publishedAt = publishedAt;
  }

  /** Whether every endpoint has received at least one priming event. */
  boolean allPrimed() {
    for (Endpoint endpoint : endpoints) {
      synchronized (endpoint) {
        if (endpoint.primed == 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** Events of the run received, first copies only, at all endpoints. */
  long received() {
    long received = 0;
    for (Endpoint endpoint : endpoints) {
      synchronized (endpoint) {
        received += endpoint.received;
      }
    }
    return received;
  }

  /** When the last new event of the run arrived (System.nanoTime()), 0 if none has. */
  long lastAt() {
    long last = 0;
    for (Endpoint endpoint : endpoints) {
      synchronized (endpoint) {
        last = Math.max(last, endpoint.lastAt);
      }
    }
    return last;
  }

  /**
   * Waits until every endpoint has received {@code published} events of the run, or none has
   * arrived anywhere for {@code timeout} (what is missing then counts as lost).
   */
  void awaitAll(long published, Duration timeout) throws InterruptedException {
    long expected = published * endpoints.length;
    long before = received();
    long progressAt = System.nanoTime();
    while (before < expected) {
      TimeUnit.MILLISECONDS.sleep(20);
      long now = received();
      if (now != before) {
        before = now;
        progressAt = System.nanoTime();
      } else if (System.nanoTime() - progressAt > timeout.toNanos()) {
        return;
      }
    }
  }

  /**
   * What arrived against what was published: events {@code 0} to {@code published - 1}, event
   * {@code i} in partition {@code partitionOf.applyAsInt(i)} (-1: unknown, its ack never came).
   */
  Check check(long published, IntUnaryOperator partitionOf) {
    long received = 0;
    long lost = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    long fewest = Long.MAX_VALUE;
    long most = 0;
    List<Problem> problems = new ArrayList<>();
    for (int e = 0; e < endpoints.length; e++) {
      Endpoint endpoint = endpoints[e];
      synchronized (endpoint) {
        Map<Integer, long[]> byPartition = new TreeMap<>();
        endpoint.partitions.forEach((partition, tally) ->
            byPartition.put(partition, new long[] {0, tally.duplicates, tally.outOfOrder}));
        for (int index = 0; index < published; index++) {
          if (!endpoint.seen.get(index)) {
            byPartition.computeIfAbsent(partitionOf.applyAsInt(index), partition -> new long[3])[0]++;
          }
        }
        for (Map.Entry<Integer, long[]> entry : byPartition.entrySet()) {
          long[] tally = entry.getValue();
          if (tally[0] + tally[1] + tally[2] > 0) {
            problems.add(new Problem(e, entry.getKey(), tally[0], tally[1], tally[2]));
          }
          lost += tally[0];
          duplicates += tally[1];
          outOfOrder += tally[2];
        }
        received += endpoint.received;
        fewest = Math.min(fewest, endpoint.received);
        most = Math.max(most, endpoint.received);
      }
    }
    return new Check(new LoadGenerator.DeliveryCheck(received, lost, duplicates, outOfOrder), requests.sum(),
        badSignatures.sum(), endpoints.length == 0 ? 0 : fewest, most, problems);
  }

  private void handle(HttpExchange exchange, Endpoint endpoint) throws IOException {
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      requests.increment();
      Headers headers = exchange.getRequestHeaders();
      if (!WebhookSignature.verifies(endpoint.secret, headers.getFirst("webhook-id"),
          headers.getFirst("webhook-timestamp"), body, headers.getFirst("webhook-signature"))) {
        badSignatures.increment();
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      long now = System.nanoTime();
      JsonNode events = Cli.JSON.readTree(body).path("events");
      synchronized (endpoint) {
        for (JsonNode item : events) {
          record(endpoint, item, now);
        }
      }
      exchange.sendResponseHeaders(200, -1);
    } finally {
      exchange.close();
    }
  }

  private void record(Endpoint endpoint, JsonNode item, long now) {
    JsonNode event = item.path("event");
    String id = event.path("id").asText();
    if (!event.path("source").asText().equals(LoadGenerator.SOURCE)) {
      return;
    }
    if (id.startsWith(primingPrefix)) {
      endpoint.primed++;
      return;
    }
    if (!id.startsWith(idPrefix)) {
      // An event of an earlier run on the same topic.
      return;
    }
    int index = Integer.parseInt(id, idPrefix.length(), id.length(), 10);
    Tally tally = endpoint.partitions.computeIfAbsent(item.path("partition").asInt(), partition -> new Tally());
    if (index >= total || endpoint.seen.get(index)) {
      tally.duplicates++;
      return;
    }
    endpoint.seen.set(index);
    endpoint.received++;
    endpoint.lastAt = now;
    long offset = item.path("offset").asLong();
    if (tally.lastOffset >= 0 && offset <= tally.lastOffset) {
      tally.outOfOrder++;
    }
    tally.lastOffset = Math.max(tally.lastOffset, offset);
    LongUnaryOperator timing = publishedAt;
    if (timing != null) {
      latency.record(TimeUnit.NANOSECONDS.toMicros(now - timing.applyAsLong(index)));
    }
  }

  @Override
  public void close() {
    servers.forEach(server -> server.stop(0));
    threads.shutdownNow();
  }

  /** One endpoint's record; guarded by its own monitor. */
  private static final class Endpoint {
    volatile String secret;
    final BitSet seen;
    final Map<Integer, Tally> partitions = new TreeMap<>();
    long received;
    long lastAt;
    long primed;

    Endpoint(int total) {
      this.seen = new BitSet(total);
    }
  }

  /** One partition's record at one endpoint. */
  private static final class Tally {
    long lastOffset = -1;
    long duplicates;
    long outOfOrder;
  }
}
