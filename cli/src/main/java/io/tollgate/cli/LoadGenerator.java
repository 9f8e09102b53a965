package io.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.client.Delivery;
import io.tollgate.client.HostAndPort;
import io.tollgate.client.ClientTls;
import io.tollgate.client.HttpPublisher;
import io.tollgate.client.PublishResult;
import io.tollgate.client.Publisher;
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
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Benchmarks a broker. {@link Mode#TCP} and {@link Mode#HTTP} publish as fast as the broker
 * acks, with a bounded number of publishes in flight, and measure throughput and
 * publish-to-ack latency. {@link Mode#E2E} publishes at a fixed rate while a
 * {@link Subscriber} receives, and measures publish-to-receive latency and whether every
 * event arrived exactly once and in order. {@link Mode#DRAIN} publishes a backlog first (not
 * measured) and measures how fast a {@link Subscriber} receives and acks all of it.
 * {@link Mode#ACK_TO_INVOICE} publishes and receives one event at a time and measures how long
 * after the ack its usage shows in the account's upcoming invoice. The {@code loadgen} command
 * is a shell around {@link #run}; tests call it directly.
 */
public final class LoadGenerator {
  static final String SOURCE = "tollgate-loadgen";
  private static final String TYPE = "tollgate.loadgen";

  /** Events a drain run publishes and receives when {@link Settings#events} is not given. */
  public static final long DEFAULT_DRAIN_EVENTS = 200_000;
  /** Upcoming-invoice line kinds whose quantities add up to a subscription's usage. */
  private static final Set<String> USAGE_LINE_KINDS = Set.of("usage", "free_allowance");

  public enum Mode {
    TCP, HTTP, E2E, DRAIN, ACK_TO_INVOICE;

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
      return this == E2E || this == DRAIN || this == ACK_TO_INVOICE;
    }
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

    /** The SDK's HTTP client, trusting {@link #tls} when it is set (its TLS settings matter only for https). */
    HttpClient httpClient() {
      return (tls == null ? ClientTls.systemDefault() : tls).httpClient();
    }

    private void validate() {
      Objects.requireNonNull(apiKey, "apiKey");
      Objects.requireNonNull(topic, "topic");
      if (mode.subscribes()) {
        Objects.requireNonNull(subscription, "subscription (needed in " + mode.id() + " mode)");
        require(publishVia == Mode.TCP || publishVia == Mode.HTTP, "publishVia must be TCP or HTTP");
      }
      if (mode == Mode.E2E) {
        require(rate > 0, "rate must be positive");
      }
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
   * The outcome of a run. {@code events} were published and acked (TCP, HTTP, E2E, ACK_TO_INVOICE)
   * or received and acked (DRAIN) in {@code seconds}; the latency is publish-to-ack per publish
   * (TCP, HTTP), publish-to-receive per event (E2E, measured from when the event was due, so a
   * stalled publisher shows up as latency), ack-to-invoice per sample (ACK_TO_INVOICE), and null
   * in DRAIN; {@code delivery} is null except in E2E and DRAIN, {@code invoicePolls} except in
   * ACK_TO_INVOICE.
   */
  public record Summary(Mode mode, long events, double seconds, double eventsPerSecond, double megabytesPerSecond,
                        Latency latency, DeliveryCheck delivery, InvoicePolls invoicePolls) {
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
      if (delivery != null) {
        json.put("received", delivery.received())
            .put("lost", delivery.lost())
            .put("duplicates", delivery.duplicates())
            .put("out_of_order", delivery.outOfOrder());
      }
      return json.toString();
    }

    private static double round(double value) {
      return Math.round(value * 1000) / 1000.0;
    }
  }

  /** A fresh account, key, topic and subscription to run against. */
  public record Fixture(String accountId, String apiKey, String topic, String subscriptionId) {}

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
    return new Fixture(accountId, key, topic, subscription);
  }

  /** Runs the benchmark; throws the first publish error, which ends the run. */
  public static Summary run(Settings settings) {
    settings.validate();
    Mode transport = settings.mode.subscribes() ? settings.publishVia : settings.mode;
    try (Publisher publisher = transport == Mode.TCP
        ? TcpPublisher.connect(settings.tcp.host(), settings.tcp.port(), settings.apiKey, settings.inFlight, settings.tls)
        : new HttpPublisher(settings.url, settings.apiKey, settings.httpClient())) {
      return switch (settings.mode) {
        case TCP, HTTP -> throughput(settings, publisher);
        case E2E -> endToEnd(settings, publisher);
        case DRAIN -> drain(settings, publisher);
        case ACK_TO_INVOICE -> ackToInvoice(settings, publisher);
      };
    } catch (InterruptedException e) {
      throw TollgateException.interrupted(e);
    }
  }

  private static Summary throughput(Settings settings, Publisher publisher) throws InterruptedException {
    EventFactory factory = new EventFactory(settings.eventBytes);
    Histogram latency = new ConcurrentHistogram(3);
    LongAdder acked = new LongAdder();
    long start = System.nanoTime();
    try (Progress ignored = Progress.start(settings.progress, start, acked::sum, null)) {
      publish(settings, publisher, factory, settings.events, start, (count, micros) -> {
        latency.recordValue(micros);
        acked.add(count);
      });
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long events = acked.sum();
    return new Summary(settings.mode, events, seconds, events / seconds,
        events * (double) settings.eventBytes / 1e6 / seconds, Latency.of(latency), null, null);
  }

  /** Told of each acked publish: how many events it carried and its publish-to-ack latency. */
  @FunctionalInterface
  private interface AckListener {
    void acked(int events, long micros);
  }

  /**
   * Publishes {@code events} events (0: until {@link Settings#duration} after {@code start}) in
   * batches of {@link Settings#batchSize}, at most {@link Settings#inFlight} at a time, and waits
   * for the last acks.
   */
  private static void publish(Settings settings, Publisher publisher, EventFactory factory, long events, long start,
                              AckListener onAck) throws InterruptedException {
    Window window = new Window(settings.inFlight);
    long deadline = events > 0 ? Long.MAX_VALUE : start + settings.duration.toNanos();
    long next = 0;
    while (window.ok() && (events > 0 ? next < events : System.nanoTime() < deadline)) {
      int count = events > 0 ? (int) Math.min(settings.batchSize, events - next) : settings.batchSize;
      List<CloudEvent> batch = factory.events(next, count);
      window.acquire();
      long sentAt = System.nanoTime();
      window.track(publisher.publish(settings.topic, batch),
          result -> onAck.acked(count, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sentAt)));
      next += count;
    }
    window.drain(settings.drainTimeout);
  }

  private static Summary endToEnd(Settings settings, Publisher publisher) throws InterruptedException {
    long total = settings.events > 0 ? settings.events : Math.round(settings.rate * settings.duration.toNanos() / 1e9);
    requireTrackable(total, settings.mode);
    EventFactory factory = new EventFactory(settings.eventBytes);
    double intervalNanos = 1e9 / settings.rate;
    Receipts receipts = new Receipts(factory.idPrefix, (int) total);
    Window window = new Window(settings.inFlight);
    LongAdder acked = new LongAdder();
    long start;
    long end;
    try (Subscriber subscriber = Subscriber.builder(settings.url, settings.apiKey, settings.subscription)
        .httpClient(settings.httpClient())
        .onDelivery(receipts::onDelivery)
        .connect()) {
      start = System.nanoTime();
      receipts.timeFrom(start, intervalNanos);
      try (Progress ignored = Progress.start(settings.progress, start, acked::sum, receipts::received)) {
        long next = 0;
        while (window.ok() && next < total) {
          // Event i is due at start + i * interval. Waiting for that moment is pacing; when
          // the publisher is late, everything already due goes out at once, and its latency
          // still counts from when it was due.
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
          int batchSize = count;
          window.acquire();
          window.track(publisher.publish(settings.topic, factory.events(next, count)), result -> acked.add(batchSize));
          next += count;
        }
        window.drain(settings.drainTimeout);
        end = System.nanoTime();
        receipts.awaitAll(subscriber.closed(), settings.drainTimeout);
      }
    }
    long published = acked.sum();
    double seconds = (end - start) / 1e9;
    return new Summary(settings.mode, published, seconds, published / seconds,
        published * (double) settings.eventBytes / 1e6 / seconds, Latency.of(receipts.latency), receipts.check(published),
        null);
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

    Receipts receipts = new Receipts(factory.idPrefix, (int) total);
    long start = System.nanoTime();
    long end;
    try (Subscriber subscriber = Subscriber.builder(settings.url, settings.apiKey, settings.subscription)
        .httpClient(settings.httpClient())
        .onDelivery(receipts::onDelivery)
        .connect();
         Progress ignored = Progress.start(settings.progress, start, receipts::received, null)) {
      receipts.awaitAll(subscriber.closed(), settings.drainTimeout);
      end = receipts.received() > 0 ? receipts.lastAt() : System.nanoTime();
    }
    long received = receipts.received();
    double seconds = (end - start) / 1e9;
    return new Summary(settings.mode, received, seconds, received / seconds,
        received * (double) settings.eventBytes / 1e6 / seconds, null, receipts.check(total), null);
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
         Progress ignored = Progress.start(settings.progress, start, done::get, null)) {
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

  /** Bounds the publishes in flight and remembers the first that failed, which stops the run. */
  private static final class Window {
    private final int size;
    private final Semaphore permits;
    private final AtomicReference<TollgateException> failure = new AtomicReference<>();

    Window(int size) {
      this.size = size;
      this.permits = new Semaphore(size);
    }

    boolean ok() {
      return failure.get() == null;
    }

    void acquire() throws InterruptedException {
      permits.acquire();
    }

    void track(CompletableFuture<PublishResult> reply, Consumer<PublishResult> onAck) {
      reply.whenComplete((result, error) -> {
        if (error != null) {
          failure.compareAndSet(null, TollgateException.unwrap(error));
        } else {
          onAck.accept(result);
        }
        permits.release();
      });
    }

    /** Waits for every publish to be answered, then throws the first failure if there was one. */
    void drain(Duration timeout) throws InterruptedException {
      if (!permits.tryAcquire(size, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        failure.compareAndSet(null, new TollgateException(TollgateException.CONNECTION_FAILED,
            (size - permits.availablePermits()) + " publishes were not answered within " + timeout.toSeconds() + "s"));
      }
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
    final Histogram latency = new Histogram(3);
    private final Map<String, Long> lastOffset = new HashMap<>();
    private final CompletableFuture<Void> all = new CompletableFuture<>();
    private volatile boolean timed;
    private volatile long start;
    private volatile double intervalNanos;
    private long received;
    private long lastAt;
    private long duplicates;
    private long outOfOrder;

    Receipts(String idPrefix, int total) {
      this.idPrefix = idPrefix;
      this.total = total;
      this.seen = new BitSet(total);
    }

    /** Record latencies from now on: event {@code i} was due at {@code start + i * intervalNanos}. */
    void timeFrom(long start, double intervalNanos) {
      this.start = start;
      this.intervalNanos = intervalNanos;
      this.timed = true;
    }

    void onDelivery(Delivery delivery) {
      long now = System.nanoTime();
      String id = delivery.event().getId();
      if (!id.startsWith(idPrefix) || !delivery.event().getSource().equals(SOURCE)) {
        // Another producer's event, or one from an earlier run on the same subscription.
        return;
      }
      int index = Integer.parseInt(id, idPrefix.length(), id.length(), 10);
      synchronized (this) {
        if (seen.get(index)) {
          duplicates++;
          return;
        }
        seen.set(index);
        received++;
        lastAt = now;
        if (timed) {
          latency.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(now - (start + (long) (index * intervalNanos)))));
        }
        Long previous = lastOffset.put(delivery.topic() + "/" + delivery.partition(), delivery.offset());
        if (previous != null && delivery.offset() <= previous) {
          outOfOrder++;
        }
        if (received == total) {
          all.complete(null);
        }
      }
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

  /** Prints how far the run is, once a second, on a daemon thread. */
  private static final class Progress implements AutoCloseable {
    private final ScheduledExecutorService timer;

    private Progress(ScheduledExecutorService timer) {
      this.timer = timer;
    }

    static Progress start(PrintWriter out, long start, LongSupplier acked, LongSupplier received) {
      if (out == null) {
        return new Progress(null);
      }
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "tollgate-loadgen-progress");
        thread.setDaemon(true);
        return thread;
      });
      long[] last = {0};
      timer.scheduleAtFixedRate(() -> {
        double seconds = (System.nanoTime() - start) / 1e9;
        long events = acked.getAsLong();
        out.printf(Locale.ROOT, "%7.1fs %,12d events %,10.0f events/s (last second %,.0f)%s%n",
            seconds, events, events / seconds, (double) (events - last[0]),
            received == null ? "" : String.format(Locale.ROOT, " %,d received", received.getAsLong()));
        out.flush();
        last[0] = events;
      }, 1, 1, TimeUnit.SECONDS);
      return new Progress(timer);
    }

    @Override
    public void close() {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }
}
