package io.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.client.BatchSettings;
import io.tollgate.client.BatchingPublisher;
import io.tollgate.client.Delivery;
import io.tollgate.client.HostAndPort;
import io.tollgate.client.ClientTls;
import io.tollgate.client.HttpPublisher;
import io.tollgate.client.PublishResult;
import io.tollgate.client.Publisher;
import io.tollgate.client.EventStreamSubscriber;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Benchmarks a broker. {@link Mode#TCP} and {@link Mode#HTTP} publish as fast as the broker
 * acks, with a bounded number of publishes in flight, and measure throughput and
 * publish-to-ack latency. {@link Mode#E2E} publishes at a fixed rate while a
 * {@link Subscriber} receives, and measures publish-to-receive latency and whether every
 * event arrived exactly once and in order. {@link Mode#DRAIN} publishes a backlog first (not
 * measured) and measures how fast a {@link Subscriber} receives and acks all of it. Both receive
 * over WebSocket, or as server-sent events with {@link Consumption#SSE}.
 * {@link Mode#ACK_TO_INVOICE} publishes and receives one event at a time and measures how long
 * after the ack its usage shows in the account's upcoming invoice. The {@code loadgen} command
 * is a shell around {@link #run}; tests call it directly.
 *
 * <p>{@link Mode#FANOUT} is e2e with many subscribers, one subscription each, all receiving every
 * event. {@link Mode#WEBHOOK} is the same with webhook subscriptions posting to endpoints inside the
 * load generator ({@link WebhookEndpoints}), which check each request's signature. {@link Mode#IDLE} opens many streams that receive nothing and reports what they cost the
 * broker (CPU, heap); {@link Mode#SUBSCRIPTIONS} creates many subscriptions and reports the heap.
 * With a batch size of 1, events go one by one through the SDK's {@link BatchingPublisher}, as an
 * application would send them; larger batch sizes publish explicit batches. Latencies are also
 * kept per second ({@link IntervalLatency}), so a stall shows in the second it happened.
 */
public final class LoadGenerator {
  static final String SOURCE = "tollgate-loadgen";
  private static final String TYPE = "tollgate.loadgen";

  /** Events a drain run publishes and receives when {@link Settings#events} is not given. */
  public static final long DEFAULT_DRAIN_EVENTS = 200_000;
  /** Upcoming-invoice line kinds whose quantities add up to a subscription's usage. */
  private static final Set<String> USAGE_LINE_KINDS = Set.of("trial", "usage", "overage", "free_allowance");

  public enum Mode {
    TCP, HTTP, E2E, DRAIN, ACK_TO_INVOICE, FANOUT, IDLE, SUBSCRIPTIONS, WEBHOOK;

    /** The name on the command line and in the summary: {@code tcp}, ..., {@code ack-to-invoice}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The mode called {@code id} on the command line, if there is one. */
    public static Optional<Mode> byId(String id) {
      return Arrays.stream(values()).filter(mode -> mode.id().equals(id)).findFirst();
    }

    /** Whether the mode receives on a subscription, and so publishes {@link Settings#publishVia}. */
    boolean subscribes() {
      return this == E2E || this == DRAIN || this == ACK_TO_INVOICE || this == FANOUT || this == WEBHOOK;
    }

    /** Whether the mode creates subscriptions of its own, on the fixture's product and plan. */
    boolean createsSubscriptions() {
      return this == FANOUT || this == IDLE || this == SUBSCRIPTIONS || this == WEBHOOK;
    }
  }

  /** How the e2e and drain modes receive: over WebSocket, or as server-sent events. */
  public enum Consumption {
    WEBSOCKET, SSE;

    /** The name on the command line and in the summary: {@code websocket} or {@code sse}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Consumption> byId(String id) {
      return Arrays.stream(values()).filter(way -> way.id().equals(id)).findFirst();
    }
  }

  /** A subscription's open stream, whichever way it is received. */
  private interface Receiver extends AutoCloseable {
    /** Completes when the stream is over, exceptionally when it failed. */
    CompletableFuture<Void> closed();

    @Override
    void close();
  }

  /**
   * Opens {@link Settings#subscription} the way {@link Settings#consumeVia} says. Server-sent
   * events are acknowledged in the background ({@link EventStreamSubscriber.Builder#coalescedAcks}),
   * as the WebSocket subscriber acks without waiting, so the two measure delivery, not ack round trips.
   */
  private static Receiver receive(Settings settings, Subscriber.Handler handler) {
    if (settings.consumeVia == Consumption.SSE) {
      EventStreamSubscriber events = EventStreamSubscriber.builder(settings.url, settings.apiKey, settings.subscription)
          .httpClient(settings.httpClient()).coalescedAcks().onDelivery(handler).connect();
      return new Receiver() {
        @Override
        public CompletableFuture<Void> closed() {
          return events.closed();
        }

        @Override
        public void close() {
          events.close();
        }
      };
    }
    Subscriber webSocket = Subscriber.builder(settings.url, settings.apiKey, settings.subscription)
        .httpClient(settings.httpClient()).onDelivery(handler).connect();
    return new Receiver() {
      @Override
      public CompletableFuture<Void> closed() {
        return webSocket.closed();
      }

      @Override
      public void close() {
        webSocket.close();
      }
    };
  }

  private LoadGenerator() {}

  /** What to run; the defaults are those of the {@code loadgen} command. */
  public static final class Settings {
    private Mode mode = Mode.TCP;
    private URI url = URI.create(Cli.DEFAULT_URL);
    private HostAndPort tcp = new HostAndPort("127.0.0.1", 7070);
    private String apiKey;
    private String topic;
    private String subscription;
    private String account;
    private Mode publishVia = Mode.TCP;
    private Consumption consumeVia = Consumption.WEBSOCKET;
    private int eventBytes = 256;
    private long events;
    private Duration duration = Duration.ofSeconds(30);
    private int batchSize = 100;
    private int inFlight = 64;
    private double rate = 1000;
    private int samples = 50;
    private Duration drainTimeout = Duration.ofSeconds(30);
    private PrintWriter progress;
    private ClientTls tls;
    private Duration linger = BatchSettings.DEFAULTS.linger();
    private long bufferBytes = BatchSettings.DEFAULTS.bufferBytes();
    private boolean explicitBatches;
    private int subscribers = 100;
    private int streams = 1000;
    private int subscriptions = 1000;
    private String product;
    private String plan;
    private Long brokerPid;
    private int endpoints = 100;
    private Integer webhookBatchSize;
    private Integer webhookConcurrency;
    private Duration warmup = Duration.ZERO;

    public Settings mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** The broker's HTTP base URL: HTTP publishing and the e2e subscriber. */
    public Settings url(URI url) {
      this.url = url;
      return this;
    }

    public Settings tcp(HostAndPort tcp) {
      this.tcp = tcp;
      return this;
    }

    public Settings apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    public Settings topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The subscription the e2e, drain and ack-to-invoice modes receive on; it must include {@link #topic}. */
    public Settings subscription(String subscription) {
      this.subscription = subscription;
      return this;
    }

    /** The account of {@link #subscription}, whose upcoming invoice the ack-to-invoice mode reads. */
    public Settings account(String account) {
      this.account = account;
      return this;
    }

    /** How the e2e, drain and ack-to-invoice modes publish: {@link Mode#TCP} or {@link Mode#HTTP}. */
    public Settings publishVia(Mode publishVia) {
      this.publishVia = publishVia;
      return this;
    }

    /** How the e2e and drain modes receive: over WebSocket (the default) or as server-sent events. */
    public Settings consumeVia(Consumption consumeVia) {
      this.consumeVia = consumeVia;
      return this;
    }

    /** Size of each event's data, a JSON string of this many bytes. */
    public Settings eventBytes(int eventBytes) {
      this.eventBytes = eventBytes;
      return this;
    }

    /**
     * Publish this many events; 0 (the default) means for {@link #duration} instead, or in drain
     * mode {@link #DEFAULT_DRAIN_EVENTS}.
     */
    public Settings events(long events) {
      this.events = events;
      return this;
    }

    public Settings duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    /** Events per publish; in e2e mode the most that go together when the schedule has fallen behind. */
    public Settings batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Publishes sent and not yet acked, at most. */
    public Settings inFlight(int inFlight) {
      this.inFlight = inFlight;
      return this;
    }

    /** Events per second in e2e mode. */
    public Settings rate(double rate) {
      this.rate = rate;
      return this;
    }

    /** Measurements the ack-to-invoice mode takes, one event each. */
    public Settings samples(int samples) {
      this.samples = samples;
      return this;
    }

    /**
     * How long to wait for outstanding acks; in e2e and drain mode, how long the subscriber may
     * receive nothing before the missing events count as lost; in ack-to-invoice mode, the most
     * each sample may take.
     */
    public Settings drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
      return this;
    }

    /** Where to print a progress line every second; null (the default) for none. */
    public Settings progress(PrintWriter progress) {
      this.progress = progress;
      return this;
    }

    /** TLS to the broker, on HTTP, WebSocket and TCP alike; null: plaintext. */
    public Settings tls(ClientTls tls) {
      this.tls = tls;
      return this;
    }

    /** With a batch size of 1: how long the batching publisher waits for a batch to fill. */
    public Settings linger(Duration linger) {
      this.linger = linger;
      return this;
    }

    /** With a batch size of 1: how many bytes of events the batching publisher holds unacknowledged. */
    public Settings bufferBytes(long bufferBytes) {
      this.bufferBytes = bufferBytes;
      return this;
    }

    /** Publish each batch (of 1 too) as a publish of its own, without the batching publisher. */
    public Settings explicitBatches(boolean explicitBatches) {
      this.explicitBatches = explicitBatches;
      return this;
    }

    /** Fan-out: WebSocket subscribers, each on a subscription of its own. */
    public Settings subscribers(int subscribers) {
      this.subscribers = subscribers;
      return this;
    }

    /** Idle: streams to open and hold for {@link #duration}. */
    public Settings streams(int streams) {
      this.streams = streams;
      return this;
    }

    /** Subscriptions mode: how many to create. */
    public Settings subscriptions(int subscriptions) {
      this.subscriptions = subscriptions;
      return this;
    }

    /** The product and plan (of {@link #account}) that fan-out, idle and subscriptions modes subscribe to. */
    public Settings offer(String product, String plan) {
      this.product = product;
      this.plan = plan;
      return this;
    }

    /** The broker's process id, when it runs on this machine: its resident set, and the heap after a full GC. */
    public Settings brokerPid(Long brokerPid) {
      this.brokerPid = brokerPid;
      return this;
    }

    /**
     * E2E: before the clock starts, publish at {@link #rate} for this long on the same stream and
     * wait for those events to arrive, measured apart (zero, the default: no warm-up).
     */
    public Settings warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    /** Webhook: endpoints, each on a webhook subscription of its own. */
    public Settings endpoints(int endpoints) {
      this.endpoints = endpoints;
      return this;
    }

    /** Webhook: each subscription's {@code batch_size} and {@code concurrency}; null: the node's defaults. */
    public Settings webhookShape(Integer batchSize, Integer concurrency) {
      this.webhookBatchSize = batchSize;
      this.webhookConcurrency = concurrency;
      return this;
    }

    BatchSettings batchSettings() {
      return BatchSettings.DEFAULTS.withMaxInFlight(inFlight).withLinger(linger).withBufferBytes(bufferBytes);
    }

    /** Single events through the batching publisher, or explicit batches. */
    boolean batching() {
      return batchSize == 1 && !explicitBatches;
    }

    /** The SDK's HTTP client, trusting {@link #tls} when it is set (its TLS settings matter only for https). */
    HttpClient httpClient() {
      return (tls == null ? ClientTls.systemDefault() : tls).httpClient();
    }

    private void validate() {
      Objects.requireNonNull(apiKey, "apiKey");
      Objects.requireNonNull(topic, "topic");
      if (mode.subscribes() && !mode.createsSubscriptions()) {
        Objects.requireNonNull(subscription, "subscription (needed in " + mode.id() + " mode)");
        require(publishVia == Mode.TCP || publishVia == Mode.HTTP, "publishVia must be TCP or HTTP");
      }
      if (mode == Mode.E2E || mode == Mode.FANOUT) {
        require(rate > 0, "rate must be positive");
      }
      if (mode == Mode.WEBHOOK) {
        require(rate > 0 || (rate == 0 && events > 0), "rate must be positive, or 0 with events (as fast as acks allow)");
        require(endpoints >= 1, "endpoints must be at least 1");
      }
      if (mode.createsSubscriptions()) {
        Objects.requireNonNull(account, "account (needed in " + mode.id() + " mode)");
        Objects.requireNonNull(product, "product (needed in " + mode.id() + " mode)");
        Objects.requireNonNull(plan, "plan (needed in " + mode.id() + " mode)");
      }
      require(subscribers >= 1, "subscribers must be at least 1");
      require(streams >= 1, "streams must be at least 1");
      require(subscriptions >= 1, "subscriptions must be at least 1");
      require(linger != null && !linger.isNegative(), "linger must be zero or more");
      require(warmup != null && !warmup.isNegative(), "warmup must be zero or more");
      if (mode == Mode.ACK_TO_INVOICE) {
        Objects.requireNonNull(account, "account (needed in ack-to-invoice mode)");
        require(samples >= 1, "samples must be at least 1");
      }
      require(eventBytes >= 2, "eventBytes must be at least 2 (the quotes of the JSON string)");
      require(events > 0 || (duration != null && !duration.isNegative() && !duration.isZero()), "events or duration must be positive");
      require(batchSize >= 1, "batchSize must be at least 1");
      require(inFlight >= 1, "inFlight must be at least 1");
    }

    private static void require(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  /** Latency percentiles in milliseconds; {@code count} is how many were measured. */
  public record Latency(long count, double p50Ms, double p99Ms, double p999Ms, double maxMs) {
    static Latency of(Histogram micros) {
      return new Latency(micros.getTotalCount(),
          micros.getValueAtPercentile(50) / 1000.0,
          micros.getValueAtPercentile(99) / 1000.0,
          micros.getValueAtPercentile(99.9) / 1000.0,
          micros.getMaxValue() / 1000.0);
    }
  }

  /** What the e2e and drain modes saw arrive: each published event should be received once, in offset order per partition. */
  public record DeliveryCheck(long received, long lost, long duplicates, long outOfOrder) {
    public boolean ok() {
      return lost == 0 && duplicates == 0 && outOfOrder == 0;
    }
  }

  /**
   * How the ack-to-invoice mode found the usage: in {@code samples} measurements it read the
   * upcoming invoice {@code polls} times in all, and in {@code seenOnFirstPoll} of them the first
   * read after the ack already showed the event.
   */
  public record InvoicePolls(long samples, long polls, long seenOnFirstPoll) {}

  /**
   * What the idle and subscriptions modes cost the broker: {@code opened} streams or subscriptions
   * ({@code stillOpen} of the streams at the end, and the broker's own count of open streams),
   * its heap before and after (after a full GC when its pid was given; -1 when unknown), its CPU
   * in percent of one core while the streams were held, and its resident set before and after
   * (with its pid).
   */
  public record BrokerCost(long opened, long stillOpen, long brokerOpenStreams, long heapBeforeBytes, long heapAfterBytes,
                           double cpuPercent, long residentBeforeBytes, long residentAfterBytes) {
    /** Heap per stream or subscription, in bytes. */
    double heapPerItemBytes() {
      return opened == 0 ? 0 : (heapAfterBytes - heapBeforeBytes) / (double) opened;
    }
  }

  /**
   * The outcome of a run. {@code events} were published and acked (TCP, HTTP, E2E, ACK_TO_INVOICE)
   * or received and acked (DRAIN) in {@code seconds}; the latency is publish-to-ack per publish
   * (TCP, HTTP), publish-to-receive per event (E2E, measured from when the event was due, so a
   * stalled publisher shows up as latency), ack-to-invoice per sample (ACK_TO_INVOICE), and null
   * in DRAIN; {@code delivery} is null except in E2E and DRAIN, {@code invoicePolls} except in
   * ACK_TO_INVOICE.
   */
  public record Summary(Mode mode, long events, double seconds, double eventsPerSecond, double megabytesPerSecond,
                        Latency latency, DeliveryCheck delivery, InvoicePolls invoicePolls,
                        List<IntervalLatency.Interval> intervals, BrokerCost cost, Consumption consumedVia,
                        WebhookRun webhook, EndToEndDetail detail) {
    public Summary(Mode mode, long events, double seconds, double eventsPerSecond, double megabytesPerSecond,
                   Latency latency, DeliveryCheck delivery, InvoicePolls invoicePolls) {
      this(mode, events, seconds, eventsPerSecond, megabytesPerSecond, latency, delivery, invoicePolls, List.of(), null,
          null, null, null);
    }

    /** The same summary with the per-second latencies of {@code latency}. */
    Summary withIntervals(IntervalLatency latency) {
      return new Summary(mode, events, seconds, eventsPerSecond, megabytesPerSecond, this.latency, delivery, invoicePolls,
          latency.intervals(), cost, consumedVia, webhook, detail);
    }

    /** The same summary, saying how its events were received. */
    Summary consumedVia(Consumption way) {
      return new Summary(mode, events, seconds, eventsPerSecond, megabytesPerSecond, latency, delivery, invoicePolls,
          intervals, cost, way, webhook, detail);
    }

    /** The same summary with what the webhook endpoints saw. */
    Summary withWebhook(WebhookRun run) {
      return new Summary(mode, events, seconds, eventsPerSecond, megabytesPerSecond, latency, delivery, invoicePolls,
          intervals, cost, consumedVia, run, detail);
    }

    /** The same summary with what the e2e mode adds. */
    Summary withDetail(EndToEndDetail detail) {
      return new Summary(mode, events, seconds, eventsPerSecond, megabytesPerSecond, latency, delivery, invoicePolls,
          intervals, cost, consumedVia, webhook, detail);
    }

    /** Whether every event arrived once and in order (where that is checked), and every webhook request was signed. */
    public boolean ok() {
      return (delivery == null || delivery.ok()) && (webhook == null || webhook.check().badSignatures() == 0);
    }

    public String toJson() {
      ObjectNode json = Cli.JSON.createObjectNode()
          .put("mode", mode.id())
          .put("events", events)
          .put("seconds", round(seconds))
          .put("events_per_second", round(eventsPerSecond))
          .put("mb_per_second", round(megabytesPerSecond));
      if (latency != null) {
        json.putObject("latency_ms")
            .put("count", latency.count())
            .put("p50", round(latency.p50Ms()))
            .put("p99", round(latency.p99Ms()))
            .put("p99_9", round(latency.p999Ms()))
            .put("max", round(latency.maxMs()));
      }
      if (invoicePolls != null) {
        json.putObject("invoice_polls")
            .put("samples", invoicePolls.samples())
            .put("polls", invoicePolls.polls())
            .put("seen_on_first_poll", invoicePolls.seenOnFirstPoll());
      }
      if (!intervals.isEmpty()) {
        IntervalLatency.Interval worst = intervals.stream()
            .max(java.util.Comparator.comparingDouble(IntervalLatency.Interval::p99Ms)).orElseThrow();
        json.put("worst_second_p99_ms", round(worst.p99Ms())).put("worst_second_at", round(worst.endSecond()));
        var seconds = json.putArray("seconds_latency_ms");
        for (IntervalLatency.Interval interval : intervals) {
          seconds.addObject().put("at", round(interval.endSecond())).put("count", interval.count())
              .put("p50", round(interval.p50Ms())).put("p99", round(interval.p99Ms())).put("max", round(interval.maxMs()));
        }
      }
      if (detail != null) {
        var seconds = json.putArray("seconds_ack_latency_ms");
        for (IntervalLatency.Interval interval : detail.ackSeconds()) {
          seconds.addObject().put("at", round(interval.endSecond())).put("count", interval.count())
              .put("p50", round(interval.p50Ms())).put("p99", round(interval.p99Ms())).put("max", round(interval.maxMs()));
        }
        detail.start().writeTo(json.putObject("start_ms"));
        if (detail.warmup() != null) {
          json.putObject("warmup_latency_ms")
              .put("count", detail.warmup().count())
              .put("p50", round(detail.warmup().p50Ms()))
              .put("p99", round(detail.warmup().p99Ms()))
              .put("max", round(detail.warmup().maxMs()));
        }
      }
      if (cost != null) {
        json.putObject("broker")
            .put("opened", cost.opened())
            .put("still_open", cost.stillOpen())
            .put("broker_open_streams", cost.brokerOpenStreams())
            .put("heap_before_bytes", cost.heapBeforeBytes())
            .put("heap_after_bytes", cost.heapAfterBytes())
            .put("heap_per_item_bytes", round(cost.heapPerItemBytes()))
            .put("cpu_percent_of_one_core", round(cost.cpuPercent()))
            .put("rss_before_bytes", cost.residentBeforeBytes())
            .put("rss_after_bytes", cost.residentAfterBytes());
      }
      if (consumedVia != null) {
        json.put("consume_via", consumedVia.id());
      }
      if (delivery != null) {
        json.put("received", delivery.received())
            .put("lost", delivery.lost())
            .put("duplicates", delivery.duplicates())
            .put("out_of_order", delivery.outOfOrder());
      }
      if (webhook != null) {
        WebhookEndpoints.Check check = webhook.check();
        ObjectNode hooks = json.putObject("webhook")
            .put("endpoints", webhook.endpoints())
            .put("published", webhook.published())
            .put("deliveries_per_second", round(eventsPerSecond))
            .put("requests", check.requests())
            .put("events_per_request", check.requests() == 0 ? 0 : round(check.total().received() / (double) check.requests()))
            .put("bad_signatures", check.badSignatures())
            .put("fewest_received_by_an_endpoint", check.fewestReceived())
            .put("most_received_by_an_endpoint", check.mostReceived());
        var problems = hooks.putArray("problems");
        check.problems().forEach(problem -> problems.addObject().put("endpoint", problem.endpoint())
            .put("partition", problem.partition()).put("lost", problem.lost()).put("duplicates", problem.duplicates())
            .put("out_of_order", problem.outOfOrder()));
      }
      return json.toString();
    }

    private static double round(double value) {
      return Math.round(value * 1000) / 1000.0;
    }
  }

  /**
   * What the e2e mode adds to its summary: when its first things happened, its per-second
   * publish-to-ack latencies, and the publish-to-receive latency of its warm-up (null without one).
   */
  public record EndToEndDetail(StartTimeline start, List<IntervalLatency.Interval> ackSeconds, Latency warmup) {}

  /**
   * What the webhook mode's endpoints saw: {@code endpoints} of them, each on its own subscription,
   * {@code published} events each should have received once, in offset order per partition.
   */
  public record WebhookRun(int endpoints, long published, WebhookEndpoints.Check check) {}

  /** A fresh account, key, topic and subscription to run against. */
  public record Fixture(String accountId, String apiKey, String topic, String subscriptionId, String product, String plan) {}

  /**
   * Creates a fixture with an admin key: an account with a publish and subscribe key, a domain
   * and a topic of {@code partitions} partitions, a product with a free plan, and a WebSocket
   * subscription from the beginning of the topic. Names get a random suffix so runs never collide.
   */
  public static Fixture setUp(TollgateAdmin admin, int partitions) {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String accountId = admin.createAccount("loadgen-" + suffix).path("id").asText();
    String key = admin.createKey(accountId, List.of("publish", "subscribe", "read")).path("secret").asText();
    String domain = "loadgen" + suffix;
    admin.createDomain(domain, accountId);
    String topic = domain + ".events";
    admin.createTopic(topic, domain, partitions);
    String product = admin.createProduct("loadgen-" + suffix, accountId, List.of(topic)).path("id").asText();
    String plan = admin.createPerUnitPlan(product, "free", "USD", "0").path("id").asText();
    String subscription = admin.createSubscription(accountId, product, plan, "beginning").path("id").asText();
    return new Fixture(accountId, key, topic, subscription, product, plan);
  }

  /** Runs the benchmark; throws the first publish error, which ends the run. */
  public static Summary run(Settings settings) {
    settings.validate();
    try {
      if (settings.mode == Mode.IDLE) {
        return idle(settings);
      }
      if (settings.mode == Mode.SUBSCRIPTIONS) {
        return manySubscriptions(settings);
      }
    } catch (InterruptedException e) {
      throw TollgateException.interrupted(e);
    }
    Mode transport = settings.mode.subscribes() ? settings.publishVia : settings.mode;
    try (Publisher publisher = transport == Mode.TCP
        ? TcpPublisher.connect(settings.tcp.host(), settings.tcp.port(), settings.apiKey, settings.inFlight, settings.tls)
        : new HttpPublisher(settings.url, settings.apiKey, settings.httpClient())) {
      return switch (settings.mode) {
        case TCP, HTTP -> throughput(settings, publisher);
        case E2E -> endToEnd(settings, publisher);
        case FANOUT -> fanout(settings, publisher);
        case WEBHOOK -> webhook(settings, publisher);
        case DRAIN -> drain(settings, publisher);
        case ACK_TO_INVOICE -> ackToInvoice(settings, publisher);
        case IDLE, SUBSCRIPTIONS -> throw new IllegalStateException("ran above");
      };
    } catch (InterruptedException e) {
      throw TollgateException.interrupted(e);
    }
  }

  private static Summary throughput(Settings settings, Publisher publisher) throws InterruptedException {
    EventFactory factory = new EventFactory(settings.eventBytes);
    IntervalLatency latency = new IntervalLatency();
    LongAdder acked = new LongAdder();
    long start = System.nanoTime();
    try (Progress ignored = Progress.start(settings.progress, start, acked::sum, null, latency)) {
      publish(settings, publisher, factory, settings.events, start, (count, micros) -> {
        latency.record(micros);
        acked.add(count);
      });
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long events = acked.sum();
    return new Summary(settings.mode, events, seconds, events / seconds,
        events * (double) settings.eventBytes / 1e6 / seconds, Latency.of(latency.total()), null, null)
        .withIntervals(latency);
  }

  /** Told of each acked publish: how many events it carried and its publish-to-ack latency. */
  @FunctionalInterface
  private interface AckListener {
    void acked(int events, long micros);
  }

  /**
   * Publishes {@code events} events (0: until {@link Settings#duration} after {@code start}) in
   * batches of {@link Settings#batchSize}, at most {@link Settings#inFlight} at a time, and waits
   * for the last acks. With a batch size of 1 each event is sent alone through the batching
   * publisher, and its latency is its own, from the send to its ack.
   */
  private static void publish(Settings settings, Publisher publisher, EventFactory factory, long events, long start,
                              AckListener onAck) throws InterruptedException {
    Sender sender = new Sender(settings, publisher);
    long deadline = events > 0 ? Long.MAX_VALUE : start + settings.duration.toNanos();
    long next = 0;
    while (sender.ok() && (events > 0 ? next < events : System.nanoTime() < deadline)) {
      int count = events > 0 ? (int) Math.min(settings.batchSize, events - next) : settings.batchSize;
      sender.send(factory.events(next, count), onAck);
      next += count;
    }
    sender.drain(settings.drainTimeout);
  }

  /**
   * Opens the stream, then publishes at {@link Settings#rate} while it receives. With a
   * {@link Settings#warmup}, it first publishes at that rate for that long on the same stream and
   * waits for those events to arrive, measured apart; the clock starts after, as a consumer that
   * has been running a while sees it. Besides the per-second latencies from when each event was
   * due, it keeps the per-second publish-to-ack latencies and when the stream opened and the first
   * send, ack and delivery came ({@link StartTimeline}), so that a slow start shows where it went.
   */
  private static Summary endToEnd(Settings settings, Publisher publisher) throws InterruptedException {
    StartTimeline timeline = StartTimeline.startingNow();
    long total = settings.events > 0 ? settings.events : Math.round(settings.rate * settings.duration.toNanos() / 1e9);
    long warmupTotal = Math.round(settings.rate * settings.warmup.toNanos() / 1e9);
    requireTrackable(total, settings.mode);
    requireTrackable(warmupTotal, settings.mode);
    EventFactory factory = new EventFactory(settings.eventBytes);
    EventFactory warming = new EventFactory(settings.eventBytes);
    double intervalNanos = 1e9 / settings.rate;
    IntervalLatency latency = new IntervalLatency();
    IntervalLatency ackLatency = new IntervalLatency();
    Receipts receipts = new Receipts(factory.idPrefix, (int) total, latency);
    IntervalLatency warmupLatency = new IntervalLatency();
    Receipts warmupReceipts = new Receipts(warming.idPrefix, (int) warmupTotal, warmupLatency);
    LongAdder acked = new LongAdder();
    Latency warm = null;
    Sender sender = new Sender(settings, publisher);
    long start;
    long end;
    try (Receiver subscriber = receive(settings, delivery -> {
      if (warmupReceipts.onDelivery(delivery) || receipts.onDelivery(delivery)) {
        timeline.mark(StartTimeline.Mark.FIRST_DELIVERY);
      }
    })) {
      timeline.mark(StartTimeline.Mark.STREAM_OPEN);
      if (warmupTotal > 0) {
        note(settings.progress, "warming up for %d s on the same stream (not measured)", settings.warmup.toSeconds());
        long warmupStart = System.nanoTime();
        warmupReceipts.timeFrom(warmupStart, intervalNanos);
        LongAdder warmupAcked = new LongAdder();
        try (Progress ignored = Progress.start(settings.progress, warmupStart, warmupAcked::sum, "events",
            warmupReceipts::received, warmupLatency, null)) {
          publishAtRate(settings, sender, warming, warmupTotal, warmupStart, intervalNanos, (events, micros) -> {
            warmupAcked.add(events);
            timeline.mark(StartTimeline.Mark.FIRST_ACK);
          }, () -> timeline.mark(StartTimeline.Mark.FIRST_SEND));
          sender.awaitAnswers(settings.drainTimeout);
          warmupReceipts.awaitAll(subscriber.closed(), settings.drainTimeout);
        }
        warm = Latency.of(warmupLatency.total());
        note(settings.progress, "warm-up: %,d of %,d events received, p50 %.1f ms, p99 %.1f ms, max %.1f ms; measuring",
            warmupReceipts.received(), warmupTotal, warm.p50Ms(), warm.p99Ms(), warm.maxMs());
      }
      start = System.nanoTime();
      timeline.mark(StartTimeline.Mark.CLOCK_START, start);
      receipts.timeFrom(start, intervalNanos);
      try (Progress ignored = Progress.start(settings.progress, start, acked::sum, "events", receipts::received, latency,
          ackLatency)) {
        publishAtRate(settings, sender, factory, total, start, intervalNanos, (events, micros) -> {
          acked.add(events);
          ackLatency.record(micros);
          timeline.mark(StartTimeline.Mark.FIRST_ACK);
        }, () -> timeline.mark(StartTimeline.Mark.FIRST_SEND));
        sender.drain(settings.drainTimeout);
        end = System.nanoTime();
        receipts.awaitAll(subscriber.closed(), settings.drainTimeout);
      }
    }
    note(settings.progress, "%s", timeline.describe());
    long published = acked.sum();
    double seconds = (end - start) / 1e9;
    return new Summary(settings.mode, published, seconds, published / seconds,
        published * (double) settings.eventBytes / 1e6 / seconds, Latency.of(latency.total()), receipts.check(published),
        null).withIntervals(latency).consumedVia(settings.consumeVia)
        .withDetail(new EndToEndDetail(timeline, ackLatency.intervals(), warm));
  }

  /**
   * Publishes {@code total} events, event i due at {@code start + i * intervalNanos}. Waiting for
   * that moment is pacing; when the publisher is late, everything already due goes out at once
   * (up to a batch), and its latency still counts from when it was due.
   */
  private static void publishAtRate(Settings settings, Publisher publisher, EventFactory factory, long total, long start,
                                    double intervalNanos, AckListener onAck) throws InterruptedException {
    Sender sender = new Sender(settings, publisher);
    publishAtRate(settings, sender, factory, total, start, intervalNanos, onAck, () -> { });
    sender.drain(settings.drainTimeout);
  }

  /**
   * The same through {@code sender}, which stays open for more; {@code beforeSend} runs before
   * each publish is handed to the publisher, its events made.
   */
  private static void publishAtRate(Settings settings, Sender sender, EventFactory factory, long total, long start,
                                    double intervalNanos, AckListener onAck, Runnable beforeSend)
      throws InterruptedException {
    long next = 0;
    while (sender.ok() && next < total) {
      long now = System.nanoTime();
      long due = start + (long) (next * intervalNanos);
      if (now < due) {
        LockSupport.parkNanos(due - now);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        continue;
      }
      int count = 1;
      while (count < settings.batchSize && next + count < total && start + (long) ((next + count) * intervalNanos) <= now) {
        count++;
      }
      List<CloudEvent> events = factory.events(next, count);
      beforeSend.run();
      sender.send(events, onAck);
      next += count;
    }
  }

  /**
   * E2E with {@link Settings#subscribers} WebSocket subscribers, each on a subscription of its
   * own that the run creates: every event goes to all of them. The latency is publish-to-receive
   * of every delivery; events/s is deliveries per second; the delivery check adds up all subscribers.
   */
  private static Summary fanout(Settings settings, Publisher publisher) throws InterruptedException {
    long total = settings.events > 0 ? settings.events : Math.round(settings.rate * settings.duration.toNanos() / 1e9);
    requireTrackable(total, settings.mode);
    List<String> subscriptionIds = createSubscriptions(settings, settings.subscribers);
    EventFactory factory = new EventFactory(settings.eventBytes);
    double intervalNanos = 1e9 / settings.rate;
    IntervalLatency latency = new IntervalLatency();
    HttpClient http = settings.httpClient();
    List<Receipts> receipts = new ArrayList<>();
    List<Subscriber> subscribers = new ArrayList<>();
    LongAdder acked = new LongAdder();
    long start;
    long end;
    try {
      note(settings.progress, "opening %,d streams", subscriptionIds.size());
      for (String subscription : subscriptionIds) {
        Receipts receipt = new Receipts(factory.idPrefix, (int) total, latency);
        receipts.add(receipt);
        subscribers.add(Subscriber.builder(settings.url, settings.apiKey, subscription).httpClient(http)
            .onDelivery(receipt::onDelivery).connect());
        if (subscribers.size() % 100 == 0) {
          note(settings.progress, "%,d streams open", subscribers.size());
        }
      }
      start = System.nanoTime();
      receipts.forEach(receipt -> receipt.timeFrom(start, intervalNanos));
      LongSupplier received = () -> receipts.stream().mapToLong(Receipts::received).sum();
      try (Progress ignored = Progress.start(settings.progress, start, acked::sum, received, latency)) {
        publishAtRate(settings, publisher, factory, total, start, intervalNanos, (events, micros) -> acked.add(events));
        for (int i = 0; i < receipts.size(); i++) {
          receipts.get(i).awaitAll(subscribers.get(i).closed(), settings.drainTimeout);
        }
        end = receipts.stream().mapToLong(Receipts::lastAt).filter(at -> at > 0).max().orElse(System.nanoTime());
      }
    } finally {
      subscribers.parallelStream().forEach(Subscriber::close);
    }
    long published = acked.sum();
    long delivered = 0;
    long lost = 0;
    long duplicates = 0;
    long outOfOrder = 0;
    for (Receipts receipt : receipts) {
      DeliveryCheck check = receipt.check(published);
      delivered += check.received();
      lost += check.lost();
      duplicates += check.duplicates();
      outOfOrder += check.outOfOrder();
    }
    double seconds = (end - start) / 1e9;
    return new Summary(settings.mode, delivered, seconds, delivered / seconds,
        delivered * (double) settings.eventBytes / 1e6 / seconds, Latency.of(latency.total()),
        new DeliveryCheck(delivered, lost, duplicates, outOfOrder), null).withIntervals(latency);
  }

  /**
   * Fan-out by webhook: {@link Settings#endpoints} endpoints inside the load generator
   * ({@link WebhookEndpoints}), each on a webhook subscription of its own that the run creates, so
   * every event is posted to all of them. Before the clock starts, one priming event must have
   * reached every endpoint (each subscription's worker is running). Then it publishes at
   * {@link Settings#rate} (latency from when each event was due, as in e2e) or, with a rate of 0,
   * {@link Settings#events} as fast as acks allow (latency from when each was sent). Events/s is
   * deliveries per second, from the first publish to the last new delivery; the delivery check
   * adds up every endpoint, and the summary lists each endpoint and partition that lost, repeated
   * or reordered events.
   */
  private static Summary webhook(Settings settings, Publisher publisher) throws InterruptedException {
    boolean paced = settings.rate > 0;
    long total = settings.events > 0 ? settings.events : Math.round(settings.rate * settings.duration.toNanos() / 1e9);
    requireTrackable(total, settings.mode);
    EventFactory factory = new EventFactory(settings.eventBytes);
    EventFactory priming = new EventFactory(settings.eventBytes);
    IntervalLatency latency = new IntervalLatency();
    RecordingPublisher recording = new RecordingPublisher(publisher, factory.idPrefix, (int) total);
    LongAdder acked = new LongAdder();
    long start;
    long end;
    try (WebhookEndpoints endpoints = new WebhookEndpoints(settings.endpoints, factory.idPrefix, priming.idPrefix,
        (int) total, latency)) {
      createWebhookSubscriptions(settings, endpoints);
      prime(settings, publisher, priming, endpoints);
      start = System.nanoTime();
      double intervalNanos = paced ? 1e9 / settings.rate : 0;
      endpoints.timeFrom(paced ? index -> start + (long) (index * intervalNanos) : recording::sentAt);
      try (Progress ignored = Progress.start(settings.progress, start, acked::sum, endpoints::received, latency)) {
        if (paced) {
          publishAtRate(settings, recording, factory, total, start, intervalNanos, (events, micros) -> acked.add(events));
        } else {
          publish(settings, recording, factory, total, start, (count, micros) -> acked.add(count));
        }
        endpoints.awaitAll(acked.sum(), settings.drainTimeout);
        end = endpoints.lastAt() > 0 ? endpoints.lastAt() : System.nanoTime();
      }
      long published = acked.sum();
      WebhookEndpoints.Check check = endpoints.check(published, recording::partitionOf);
      long delivered = check.total().received();
      double seconds = (end - start) / 1e9;
      return new Summary(settings.mode, delivered, seconds, delivered / seconds,
          delivered * (double) settings.eventBytes / 1e6 / seconds, Latency.of(latency.total()), check.total(), null)
          .withIntervals(latency).withWebhook(new WebhookRun(endpoints.count(), published, check));
    }
  }

  /**
   * Creates a webhook subscription from the end of the topic for each endpoint, 8 requests at a
   * time, and gives each endpoint the secret its creation showed.
   */
  private static void createWebhookSubscriptions(Settings settings, WebhookEndpoints endpoints)
      throws InterruptedException {
    TollgateAdmin api = new TollgateAdmin(settings.url, settings.apiKey, settings.httpClient());
    LongAdder done = new LongAdder();
    ExecutorService workers = Executors.newFixedThreadPool(8);
    note(settings.progress, "creating %,d webhook subscriptions", endpoints.count());
    long start = System.nanoTime();
    try (Progress ignored = Progress.start(settings.progress, start, done::sum, "webhook subscriptions created", null,
        null)) {
      List<CompletableFuture<Void>> creations = new ArrayList<>();
      for (int i = 0; i < endpoints.count(); i++) {
        int endpoint = i;
        creations.add(CompletableFuture.runAsync(() -> {
          ObjectNode body = Cli.JSON.createObjectNode().put("account", settings.account).put("product", settings.product)
              .put("plan", settings.plan).put("start", "end");
          ObjectNode delivery = body.putObject("delivery").put("type", "webhook").put("url", endpoints.url(endpoint));
          if (settings.webhookBatchSize != null) {
            delivery.put("batch_size", settings.webhookBatchSize);
          }
          if (settings.webhookConcurrency != null) {
            delivery.put("concurrency", settings.webhookConcurrency);
          }
          endpoints.secret(endpoint, api.post("/v1/subscriptions", body).path("delivery").path("secret").asText());
          done.increment();
        }, workers));
      }
      CompletableFuture.allOf(creations.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw TollgateException.unwrap(e.getCause());
    } finally {
      workers.shutdownNow();
    }
  }

  /** Publishes one event of {@code priming} and waits until every endpoint has received it: each worker runs. */
  private static void prime(Settings settings, Publisher publisher, EventFactory priming, WebhookEndpoints endpoints)
      throws InterruptedException {
    note(settings.progress, "waiting for a first event to reach all %,d endpoints", endpoints.count());
    awaitAck(publisher.publish(settings.topic, priming.events(0, 1)), settings.drainTimeout);
    long deadline = System.nanoTime() + settings.drainTimeout.toNanos();
    while (!endpoints.allPrimed()) {
      if (System.nanoTime() > deadline) {
        throw new TollgateException(TollgateException.CONNECTION_FAILED, "a first event did not reach every webhook "
            + "endpoint within " + settings.drainTimeout.toSeconds() + "s (does the node have "
            + "tollgate.webhooks.secret-key and allow-private-targets?)");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /**
   * A publisher that notes, per event of the run, when it was sent and the partition its ack put
   * it in: the webhook mode's latency without a rate, and its losses per partition.
   */
  private static final class RecordingPublisher implements Publisher {
    private final Publisher publisher;
    private final String idPrefix;
    private final AtomicLongArray sentAt;
    private final AtomicIntegerArray partitions;

    RecordingPublisher(Publisher publisher, String idPrefix, int total) {
      this.publisher = publisher;
      this.idPrefix = idPrefix;
      this.sentAt = new AtomicLongArray(total);
      this.partitions = new AtomicIntegerArray(total);
      for (int i = 0; i < total; i++) {
        partitions.set(i, -1);
      }
    }

    @Override
    public CompletableFuture<PublishResult> publish(String topic, List<CloudEvent> events) {
      long now = System.nanoTime();
      int[] indexes = events.stream().mapToInt(this::indexOf).toArray();
      for (int index : indexes) {
        sentAt.set(index, now);
      }
      return publisher.publish(topic, events).thenApply(result -> {
        for (int i = 0; i < indexes.length && i < result.positions().size(); i++) {
          partitions.set(indexes[i], result.positions().get(i).partition());
        }
        return result;
      });
    }

    private int indexOf(CloudEvent event) {
      return Integer.parseInt(event.getId(), idPrefix.length(), event.getId().length(), 10);
    }

    long sentAt(long index) {
      return sentAt.get((int) index);
    }

    /** The partition event {@code index} was stored in; -1 if its ack has not come. */
    int partitionOf(int index) {
      return partitions.get(index);
    }

    /** The publisher it wraps is the caller's to close. */
    @Override
    public void close() {}
  }

  /**
   * Opens {@link Settings#streams} streams, one per subscription the run creates, on a topic that
   * receives nothing, holds them for {@link Settings#warmup} and then {@link Settings#duration},
   * and reports what they cost the broker: CPU over that duration, and heap and resident set
   * against before they were opened.
   */
  private static Summary idle(Settings settings) throws InterruptedException {
    List<String> subscriptionIds = createSubscriptions(settings, settings.streams);
    HttpClient http = settings.httpClient();
    BrokerGauges gauges = new BrokerGauges(http, settings.url, settings.brokerPid);
    BrokerGauges.Reading before = gauges.read(true);
    List<Subscriber> streams = new ArrayList<>();
    LongAdder opened = new LongAdder();
    long start = System.nanoTime();
    try (Progress ignored = Progress.start(settings.progress, start, opened::sum, "streams opened", null, null)) {
      for (String subscription : subscriptionIds) {
        streams.add(Subscriber.builder(settings.url, settings.apiKey, subscription).httpClient(http)
            .onDelivery(delivery -> { }).connect());
        opened.increment();
      }
      if (!settings.warmup.isZero()) {
        note(settings.progress, "%,d streams open; holding them for %d s before the broker's CPU is counted",
            streams.size(), settings.warmup.toSeconds());
        Thread.sleep(settings.warmup.toMillis());
      }
      note(settings.progress, "%,d streams open; holding them for %d s", streams.size(), settings.duration.toSeconds());
      BrokerGauges.Reading held = gauges.read(false);
      // The measurement window itself: the streams stay open and idle while the broker's CPU is counted.
      Thread.sleep(settings.duration.toMillis());
      BrokerGauges.Reading after = gauges.read(false);
      long stillOpen = streams.stream().filter(stream -> !stream.closed().isDone()).count();
      BrokerGauges.Reading live = gauges.read(true);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Summary(settings.mode, 0, seconds, 0, 0, null, null, null, List.of(),
          new BrokerCost(streams.size(), stillOpen, after.openStreams(), before.heapUsedBytes(), live.heapUsedBytes(),
              after.cpuPercentSince(held), before.residentBytes(), live.residentBytes()), null, null, null);
    } finally {
      streams.parallelStream().forEach(Subscriber::close);
    }
  }

  /** Creates {@link Settings#subscriptions} subscriptions and reports the broker's heap and resident set before and after. */
  private static Summary manySubscriptions(Settings settings) throws InterruptedException {
    BrokerGauges gauges = new BrokerGauges(settings.httpClient(), settings.url, settings.brokerPid);
    BrokerGauges.Reading before = gauges.read(true);
    long start = System.nanoTime();
    List<String> created = createSubscriptions(settings, settings.subscriptions);
    double seconds = (System.nanoTime() - start) / 1e9;
    BrokerGauges.Reading after = gauges.read(true);
    return new Summary(settings.mode, created.size(), seconds, created.size() / seconds, 0, null, null, null, List.of(),
        new BrokerCost(created.size(), 0, after.openStreams(), before.heapUsedBytes(), after.heapUsedBytes(),
            after.cpuPercentSince(before), before.residentBytes(), after.residentBytes()), null, null, null);
  }

  /** Creates {@code count} subscriptions to the fixture's product and plan, from its end, 8 requests at a time. */
  private static List<String> createSubscriptions(Settings settings, int count) throws InterruptedException {
    TollgateAdmin api = new TollgateAdmin(settings.url, settings.apiKey, settings.httpClient());
    String[] ids = new String[count];
    LongAdder done = new LongAdder();
    ExecutorService workers = Executors.newFixedThreadPool(8);
    note(settings.progress, "creating %,d subscriptions", count);
    long start = System.nanoTime();
    try (Progress ignored = Progress.start(settings.progress, start, done::sum, "subscriptions created", null, null)) {
      List<CompletableFuture<Void>> creations = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int index = i;
        creations.add(CompletableFuture.runAsync(() -> {
          ids[index] = api.createSubscription(settings.account, settings.product, settings.plan, "end").path("id").asText();
          done.increment();
        }, workers));
      }
      CompletableFuture.allOf(creations.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw TollgateException.unwrap(e.getCause());
    } finally {
      workers.shutdownNow();
    }
    return List.of(ids);
  }

  /**
   * Publishes the backlog (not measured), then times a subscriber receiving and acking all of
   * it: from opening the stream to the last event's handler returning, after which its ack goes
   * out. The subscription should have nothing else waiting, such as a fresh one from
   * {@link #setUp}: anything before the backlog is received and acked too, inside the time.
   */
  private static Summary drain(Settings settings, Publisher publisher) throws InterruptedException {
    long total = settings.events > 0 ? settings.events : DEFAULT_DRAIN_EVENTS;
    requireTrackable(total, settings.mode);
    EventFactory factory = new EventFactory(settings.eventBytes);
    note(settings.progress, "publishing %,d events (not measured)", total);
    long publishStart = System.nanoTime();
    publish(settings, publisher, factory, total, publishStart, (count, micros) -> { });
    note(settings.progress, "published in %.1f s; receiving them on subscription %s",
        (System.nanoTime() - publishStart) / 1e9, settings.subscription);

    Receipts receipts = new Receipts(factory.idPrefix, (int) total, null);
    long start = System.nanoTime();
    long end;
    try (Receiver subscriber = receive(settings, receipts::onDelivery);
         Progress ignored = Progress.start(settings.progress, start, receipts::received, null, null)) {
      receipts.awaitAll(subscriber.closed(), settings.drainTimeout);
      end = receipts.received() > 0 ? receipts.lastAt() : System.nanoTime();
    }
    long received = receipts.received();
    double seconds = (end - start) / 1e9;
    return new Summary(settings.mode, received, seconds, received / seconds,
        received * (double) settings.eventBytes / 1e6 / seconds, null, receipts.check(total), null)
        .consumedVia(settings.consumeVia);
  }

  /**
   * Per sample: publishes one event, receives and acks it, then reads the account's upcoming
   * invoice back to back until the subscription's usage includes it. The latency runs from the
   * handler returning (the subscriber sends the ack right after) to the reply that showed it.
   */
  private static Summary ackToInvoice(Settings settings, Publisher publisher) throws InterruptedException {
    EventFactory factory = new EventFactory(settings.eventBytes);
    TollgateAdmin api = new TollgateAdmin(settings.url, settings.apiKey, settings.httpClient());
    BlockingQueue<Long> handledAt = new LinkedBlockingQueue<>();
    Histogram latency = new Histogram(3);
    AtomicLong done = new AtomicLong();
    long polls = 0;
    long seenOnFirstPoll = 0;
    long timeoutNanos = settings.drainTimeout.toNanos();
    long start = System.nanoTime();
    try (Subscriber subscriber = Subscriber.builder(settings.url, settings.apiKey, settings.subscription)
        .httpClient(settings.httpClient())
        .onDelivery(delivery -> {
          if (factory.made(delivery.event())) {
            handledAt.add(System.nanoTime());
          }
        })
        .connect();
         Progress ignored = Progress.start(settings.progress, start, done::get, null, null)) {
      long before = usageQuantity(api.upcomingInvoice(settings.account), settings.subscription);
      for (int sample = 1; sample <= settings.samples; sample++) {
        awaitAck(publisher.publish(settings.topic, factory.events(sample - 1, 1)), settings.drainTimeout);
        Long ackedAt = handledAt.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        if (ackedAt == null) {
          throw stopped(subscriber, "event " + sample + " was not delivered within " + settings.drainTimeout.toSeconds() + "s");
        }
        long pollsOfSample = 0;
        long seen;
        long shown;
        do {
          shown = usageQuantity(api.upcomingInvoice(settings.account), settings.subscription);
          seen = System.nanoTime();
          pollsOfSample++;
          if (shown < before + sample && seen - ackedAt > timeoutNanos) {
            throw new TollgateException(TollgateException.CONNECTION_FAILED, "the upcoming invoice still showed " + shown
                + " events " + settings.drainTimeout.toSeconds() + "s after event " + sample + " was acked, expected "
                + (before + sample));
          }
        } while (shown < before + sample);
        latency.recordValue(TimeUnit.NANOSECONDS.toMicros(seen - ackedAt));
        polls += pollsOfSample;
        seenOnFirstPoll += pollsOfSample == 1 ? 1 : 0;
        done.incrementAndGet();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long events = done.get();
    return new Summary(settings.mode, events, seconds, events / seconds,
        events * (double) settings.eventBytes / 1e6 / seconds, Latency.of(latency), null,
        new InvoicePolls(events, polls, seenOnFirstPoll));
  }

  /**
   * The usage of {@code subscription} in an upcoming invoice ({@code GET
   * /v1/accounts/{id}/invoices/upcoming}): the quantities of its usage lines (one per tier
   * reached) and free-allowance line added up. Lines are absent until the subscription has
   * usage, so no lines is 0.
   */
  static long usageQuantity(JsonNode invoice, String subscription) {
    long quantity = 0;
    for (JsonNode line : invoice.path("lines")) {
      if (line.path("subscription").asText().equals(subscription) && USAGE_LINE_KINDS.contains(line.path("kind").asText())) {
        quantity += line.path("quantity").asLong();
      }
    }
    return quantity;
  }

  private static void awaitAck(CompletableFuture<PublishResult> reply, Duration timeout) throws InterruptedException {
    try {
      reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw TollgateException.unwrap(e);
    } catch (TimeoutException e) {
      throw new TollgateException(TollgateException.CONNECTION_FAILED,
          "a publish was not answered within " + timeout.toSeconds() + "s");
    }
  }

  /** Why nothing arrived: the stream's own failure when it has ended, else {@code message}. */
  private static TollgateException stopped(Subscriber subscriber, String message) {
    CompletableFuture<Void> closed = subscriber.closed();
    if (closed.isCompletedExceptionally()) {
      try {
        closed.join();
      } catch (RuntimeException e) {
        return TollgateException.unwrap(e);
      }
    }
    return new TollgateException(TollgateException.CONNECTION_FAILED, message);
  }

  private static void requireTrackable(long total, Mode mode) {
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(mode.id() + " mode tracks at most " + Integer.MAX_VALUE + " events, asked for " + total);
    }
  }

  private static void note(PrintWriter out, String format, Object... args) {
    if (out != null) {
      out.printf(Locale.ROOT, format + "%n", args);
      out.flush();
    }
  }

  /** Events with ids {@code <run>-<index>}: unique across runs, and the index tells the receiver which one arrived. */
  private static final class EventFactory {
    final String idPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private final String data;

    EventFactory(int eventBytes) {
      this.data = "\"" + "x".repeat(eventBytes - 2) + "\"";
    }

    /** Whether this factory made {@code event}, rather than another producer or an earlier run. */
    boolean made(CloudEvent event) {
      return event.getId().startsWith(idPrefix) && event.getSource().equals(SOURCE);
    }

    List<CloudEvent> events(long first, int count) {
      List<CloudEvent> events = new ArrayList<>(count);
      for (long index = first; index < first + count; index++) {
        events.add(CloudEvent.newBuilder()
            .setSpecVersion(CloudEventJson.SPEC_VERSION)
            .setId(idPrefix + index)
            .setSource(SOURCE)
            .setType(TYPE)
            .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
            .setJsonData(data)
            .build());
      }
      return events;
    }
  }

  /**
   * Publishes for a run and remembers the first failure, which stops it: explicit batches with
   * at most {@link Settings#inFlight} publishes awaiting their ack, or, with a batch size of 1,
   * each event alone through the SDK's {@link BatchingPublisher} (which bounds its batches in
   * flight and its buffer), each with its own ack and latency.
   */
  private static final Duration FIRST_OVERLOADED_PAUSE = Duration.ofMillis(100);
  private static final Duration LAST_OVERLOADED_PAUSE = Duration.ofSeconds(2);

  private static final class Sender {
    private final String topic;
    private final Publisher publisher;
    private final BatchingPublisher batching;
    private final int size;
    private final Semaphore permits;
    private final AtomicReference<TollgateException> failure = new AtomicReference<>();
    private final PrintWriter progress;
    /** Publishes refused for a reason that passes, sent again after a pause, as a client that honours backpressure does. */
    private final LongAdder overloadedRetries = new LongAdder();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "loadgen-overloaded-retries");
      thread.setDaemon(true);
      return thread;
    });

    Sender(Settings settings, Publisher publisher) {
      this.progress = settings.progress;
      this.topic = settings.topic;
      this.publisher = publisher;
      this.batching = settings.batching() ? new BatchingPublisher(publisher, settings.batchSettings()) : null;
      this.size = settings.inFlight;
      this.permits = new Semaphore(size);
    }

    boolean ok() {
      return failure.get() == null;
    }

    void send(List<CloudEvent> events, AckListener onAck) throws InterruptedException {
      if (batching != null) {
        for (CloudEvent event : events) {
          long sentAt = System.nanoTime();
          batching.send(topic, event).whenComplete((position, error) -> answered(error, 1, sentAt, onAck));
        }
        return;
      }
      permits.acquire();
      publishUntilTaken(events, onAck, System.nanoTime(), FIRST_OVERLOADED_PAUSE);
    }

    /**
     * Publishes {@code events}; when the broker refuses them for a reason that passes
     * ({@link BatchingPublisher#RETRIABLE}: {@code partition_overloaded}, {@code publish_timeout},
     * ...), publishes them again (the same ids, stored once) after {@code pause}, twice as long
     * each time up to {@link #LAST_OVERLOADED_PAUSE}, as the SDK's own publisher does. The latency
     * counts from the first send.
     */
    private void publishUntilTaken(List<CloudEvent> events, AckListener onAck, long sentAt, Duration pause) {
      publisher.publish(topic, events).whenComplete((result, error) -> {
        if (error != null && BatchingPublisher.RETRIABLE.contains(TollgateException.unwrap(error).code())) {
          overloadedRetries.increment();
          Duration next = pause.multipliedBy(2).compareTo(LAST_OVERLOADED_PAUSE) > 0 ? LAST_OVERLOADED_PAUSE
              : pause.multipliedBy(2);
          retries.schedule(() -> publishUntilTaken(events, onAck, sentAt, next), pause.toMillis(), TimeUnit.MILLISECONDS);
          return;
        }
        answered(error, events.size(), sentAt, onAck);
        permits.release();
      });
    }

    private void answered(Throwable error, int events, long sentAt, AckListener onAck) {
      if (error != null) {
        failure.compareAndSet(null, TollgateException.unwrap(error));
      } else {
        onAck.acked(events, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sentAt));
      }
    }

    /**
     * Waits for every publish so far to be answered and stays open for more (the batching
     * publisher: until each is acked or fails by its delivery timeout; otherwise up to
     * {@code timeout}), then throws the first failure if there was one.
     */
    void awaitAnswers(Duration timeout) throws InterruptedException {
      if (batching != null) {
        batching.flush();
      } else if (permits.tryAcquire(size, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        permits.release(size);
      } else {
        unanswered(timeout);
      }
      throwFailure();
    }

    /**
     * Waits up to {@code timeout} for every publish to be answered (the batching publisher: sends
     * what it holds, then closes with the transport), then throws the first failure if there was one.
     */
    void drain(Duration timeout) throws InterruptedException {
      if (batching != null) {
        batching.close(timeout);
      } else if (!permits.tryAcquire(size, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        unanswered(timeout);
      }
      if (batching != null) {
        note(progress, "%,d batches (%,d events) refused for a passing reason (partition_overloaded, publish_timeout, ...)"
            + " were sent again by the SDK", batching.retriedBatches(), batching.retriedEvents());
      } else {
        note(progress, "%,d publishes refused for a passing reason (partition_overloaded, publish_timeout, ...) were "
            + "sent again", overloadedRetries.sum());
      }
      throwFailure();
    }

    private void unanswered(Duration timeout) {
      failure.compareAndSet(null, new TollgateException(TollgateException.CONNECTION_FAILED,
          (size - permits.availablePermits()) + " publishes were not answered within " + timeout.toSeconds() + "s"));
    }

    private void throwFailure() {
      TollgateException error = failure.get();
      if (error != null) {
        throw error;
      }
    }
  }

  /**
   * The e2e and drain modes' record of what arrived: each index once, offsets rising per
   * partition; with {@link #timeFrom}, also each event's latency from when it was due.
   */
  private static final class Receipts {
    private final String idPrefix;
    private final int total;
    private final BitSet seen;
    private final IntervalLatency latency;
    private final Map<String, Long> lastOffset = new HashMap<>();
    private final CompletableFuture<Void> all = new CompletableFuture<>();
    private volatile boolean timed;
    private volatile long start;
    private volatile double intervalNanos;
    private long received;
    private long lastAt;
    private long duplicates;
    private long outOfOrder;

    /** {@code latency}: where {@link #timeFrom} records each arrival's latency; null when not timed. */
    Receipts(String idPrefix, int total, IntervalLatency latency) {
      this.idPrefix = idPrefix;
      this.total = total;
      this.seen = new BitSet(total);
      this.latency = latency;
    }

    /** Record latencies from now on: event {@code i} was due at {@code start + i * intervalNanos}. */
    void timeFrom(long start, double intervalNanos) {
      this.start = start;
      this.intervalNanos = intervalNanos;
      this.timed = true;
    }

    /** Records an arrival; returns whether it was one of this run's events (a repeat too). */
    boolean onDelivery(Delivery delivery) {
      long now = System.nanoTime();
      String id = delivery.event().getId();
      if (!id.startsWith(idPrefix) || !delivery.event().getSource().equals(SOURCE)) {
        // Another producer's event, or one from an earlier run on the same subscription.
        return false;
      }
      int index = Integer.parseInt(id, idPrefix.length(), id.length(), 10);
      synchronized (this) {
        if (seen.get(index)) {
          duplicates++;
          return true;
        }
        seen.set(index);
        received++;
        lastAt = now;
        if (timed && latency != null) {
          latency.record(TimeUnit.NANOSECONDS.toMicros(now - (start + (long) (index * intervalNanos))));
        }
        Long previous = lastOffset.put(delivery.topic() + "/" + delivery.partition(), delivery.offset());
        if (previous != null && delivery.offset() <= previous) {
          outOfOrder++;
        }
        if (received == total) {
          all.complete(null);
        }
      }
      return true;
    }

    synchronized long received() {
      return received;
    }

    /** When the last new event arrived (System.nanoTime()). */
    synchronized long lastAt() {
      return lastAt;
    }

    /**
     * Waits until every event has arrived or none has arrived for {@code timeout} (what is
     * missing then counts as lost); throws when the stream ended first, as nothing more can
     * arrive.
     */
    void awaitAll(CompletableFuture<Void> stream, Duration timeout) throws InterruptedException {
      try {
        long before = received();
        while (true) {
          try {
            CompletableFuture.anyOf(all, stream).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            break;
          } catch (TimeoutException e) {
            long now = received();
            if (now == before) {
              return;
            }
            before = now;
          }
        }
      } catch (ExecutionException e) {
        if (!all.isDone()) {
          throw TollgateException.unwrap(e.getCause());
        }
      }
      if (!all.isDone()) {
        throw new TollgateException(TollgateException.CONNECTION_CLOSED,
            "the stream ended after " + received() + " of " + total + " events");
      }
    }

    synchronized DeliveryCheck check(long published) {
      return new DeliveryCheck(received, published - received, duplicates, outOfOrder);
    }
  }

  /**
   * Prints how far the run is, once a second, on a daemon thread, with that second's latency
   * percentiles; closing it ends the last (partial) second. It closes the seconds of
   * {@code latency} even without output, so the summary has them.
   */
  private static final class Progress implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final IntervalLatency latency;
    private final IntervalLatency acks;
    private final long start;

    private Progress(ScheduledExecutorService timer, IntervalLatency latency, IntervalLatency acks, long start) {
      this.timer = timer;
      this.latency = latency;
      this.acks = acks;
      this.start = start;
    }

    static Progress start(PrintWriter out, long start, LongSupplier acked, LongSupplier received, IntervalLatency latency) {
      return start(out, start, acked, "events", received, latency, null);
    }

    /** {@code unit}: what {@code counted} counts, e.g. events, or streams opened. */
    static Progress start(PrintWriter out, long start, LongSupplier counted, String unit, LongSupplier received,
                          IntervalLatency latency) {
      return start(out, start, counted, unit, received, latency, null);
    }

    /**
     * {@code acks}: publish-to-ack latencies, closed and printed each second beside {@code latency},
     * so that a slow second shows whether publishing or delivery was slow; null when not kept.
     */
    static Progress start(PrintWriter out, long start, LongSupplier counted, String unit, LongSupplier received,
                          IntervalLatency latency, IntervalLatency acks) {
      if (out == null && latency == null) {
        return new Progress(null, null, null, start);
      }
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "tollgate-loadgen-progress");
        thread.setDaemon(true);
        return thread;
      });
      long[] last = {0};
      timer.scheduleAtFixedRate(() -> {
        double seconds = (System.nanoTime() - start) / 1e9;
        long events = counted.getAsLong();
        long arrived = received == null ? 0 : received.getAsLong();
        IntervalLatency.Interval second = latency == null ? null : latency.closeInterval(seconds);
        IntervalLatency.Interval ackSecond = acks == null ? null : acks.closeInterval(seconds);
        if (out == null) {
          return;
        }
        out.printf(Locale.ROOT, "%7.1fs %,12d %s %,10.0f %s/s (last second %,.0f)%s%s%s%n",
            seconds, events, unit, events / seconds, unit, (double) (events - last[0]),
            received == null ? "" : String.format(Locale.ROOT, " %,d received", arrived),
            second == null || second.count() == 0 ? "" : String.format(Locale.ROOT,
                " | this second: p50 %.1f ms, p99 %.1f ms, max %.1f ms", second.p50Ms(), second.p99Ms(), second.maxMs()),
            ackSecond == null || ackSecond.count() == 0 ? "" : String.format(Locale.ROOT,
                " | acks: p50 %.1f ms, p99 %.1f ms, max %.1f ms", ackSecond.p50Ms(), ackSecond.p99Ms(), ackSecond.maxMs()));
        out.flush();
        last[0] = events;
      }, 1, 1, TimeUnit.SECONDS);
      return new Progress(timer, latency, acks, start);
    }

    @Override
    public void close() {
      if (timer == null) {
        return;
      }
      timer.shutdown();
      try {
        timer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      double end = (System.nanoTime() - start) / 1e9;
      if (latency != null) {
        latency.closeInterval(end);
      }
      if (acks != null) {
        acks.closeInterval(end);
      }
    }
  }
}
