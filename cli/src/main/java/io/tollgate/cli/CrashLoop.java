package io.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One node killed with SIGKILL again and again while a producer publishes at a steady rate and a
 * consumer receives and acks (issue 15, "a crash loop"). After each restart it checks that every
 * event acknowledged before the kill is in the topic (read back from the beginning by an audit
 * subscription, in order, each event at one position), that the consumer receives all of them
 * with repeats only across reconnects, and that billing never counts more events than the
 * consumer received; at the end, with the producer stopped, that billing counts exactly the
 * distinct events the consumer received and acknowledged.
 *
 * <p>Each cycle is one JSON line: how long the node took from its process start to answer
 * {@code /healthz} and {@code /readyz}, to accept the first publish, and until the consumer
 * received again; the counts; and what went wrong, if anything. The loop stops at the first
 * cycle with a violation, since what follows it would only repeat it.
 */
final class CrashLoop {
  /**
   * What the loop does; the broker's process gets {@code brokerJvmOptions}. Its data directory and
   * log go in {@code workDir}, a new temporary directory when it is null.
   */
  record Settings(int cycles, Duration minUptime, Duration maxUptime, double eventsPerSecond, int partitions,
                  Path workDir, List<String> brokerJvmOptions, Duration checkTimeout, Duration maxTime, long seed) {
    Settings {
      if (cycles < 1) {
        throw new IllegalArgumentException("--cycles must be at least 1, was " + cycles);
      }
      if (minUptime.isNegative() || maxUptime.compareTo(minUptime) < 0) {
        throw new IllegalArgumentException("--min-uptime must be at most --max-uptime, was " + minUptime + " and " + maxUptime);
      }
      if (eventsPerSecond <= 0) {
        throw new IllegalArgumentException("--rate must be positive, was " + eventsPerSecond);
      }
      if (partitions < 1) {
        throw new IllegalArgumentException("--partitions must be at least 1, was " + partitions);
      }
      brokerJvmOptions = List.copyOf(brokerJvmOptions);
    }
  }

  /**
   * One kill and restart: how long after its process started the node answered again (-1: not
   * within the check timeout; from the first start when a start failed and the node was started
   * again, {@code starts} times in all), and what the checks found.
   */
  record Cycle(int number, long upMillis, int starts, long healthzMillis, long readyMillis, long firstPublishMillis,
               long consumerResumedMillis, int ackedBeforeKill, int received, int audited, long billed,
               long redelivered, long publishFailures, long duplicatesAnswered, int consumerConnectionAttempts,
               List<String> violations) {
    ObjectNode toJson() {
      ObjectNode json = Cli.JSON.createObjectNode().put("type", "cycle").put("cycle", number).put("up_ms", upMillis)
          .put("starts", starts);
      json.putObject("restart_ms").put("healthz", healthzMillis).put("ready", readyMillis)
          .put("first_publish_accepted", firstPublishMillis).put("consumer_resumed", consumerResumedMillis);
      json.put("acked_before_kill", ackedBeforeKill).put("received", received).put("audited", audited)
          .put("billed", billed).put("redelivered", redelivered).put("publish_failures", publishFailures)
          .put("duplicates_answered", duplicatesAnswered).put("consumer_connection_attempts", consumerConnectionAttempts);
      violations.forEach(json.putArray("violations")::add);
      return json;
    }
  }

  private static final String SOURCE = "/crashloop";
  private final Settings settings;
  private final PrintWriter out;
  private final PrintWriter progress;
  private final Path workDir;
  private final BrokerChild.Launch launch;
  private final Random random;
  private final DeliveryLedger.Positions positions = new DeliveryLedger.Positions();
  private final DeliveryLedger consumed = new DeliveryLedger("consumer", positions);
  private final DeliveryLedger audited = new DeliveryLedger("audit", positions);
  private final List<Cycle> cycles = new ArrayList<>();
  /** The running node; read by the shutdown hook, which kills it when the loop itself is stopped. */
  private volatile BrokerChild broker;
  private TollgateAdmin admin;
  private Fixture fixture;
  private int auditConnections;
  private long billedAtEnd = -1;

  private record Fixture(String account, String key, String topic, String subscription, String audit) {}

  private CrashLoop(Settings settings, PrintWriter out, PrintWriter progress) throws IOException {
    this.settings = settings;
    this.out = out;
    this.progress = progress;
    this.random = new Random(settings.seed());
    this.workDir = settings.workDir() != null ? settings.workDir() : Files.createTempDirectory("tollgate-crashloop");
    Files.createDirectories(workDir.resolve("data"));
    int httpPort = BrokerChild.freePort();
    int tcpPort = BrokerChild.freePort();
    while (tcpPort == httpPort) {
      tcpPort = BrokerChild.freePort();
    }
    this.launch = new BrokerChild.Launch(workDir.resolve("data"), workDir.resolve("broker.log"),
        httpPort, tcpPort, "admin.crashloop." + UUID.randomUUID().toString().replace("-", ""), settings.brokerJvmOptions());
  }

  /**
   * Runs the loop; every cycle's line goes to {@code out} as it ends, then the summary line, which
   * is also returned. Progress in words goes to {@code progress}.
   */
  static ObjectNode run(Settings settings, PrintWriter out, PrintWriter progress) throws IOException, InterruptedException {
    return new CrashLoop(settings, out, progress).run();
  }

  /** The number in a crash-loop event id ({@code e17} is 17). */
  static int eventNumber(String id) {
    if (id.length() < 2 || id.charAt(0) != 'e') {
      throw new IllegalArgumentException("not a crash-loop event id: " + id);
    }
    return Integer.parseInt(id, 1, id.length(), 10);
  }

  private ObjectNode run() throws IOException, InterruptedException {
    long started = System.nanoTime();
    long stopBy = started + settings.maxTime().toNanos();
    List<String> violations = new ArrayList<>();
    Thread reaper = new Thread(() -> {
      BrokerChild running = broker;
      if (running != null) {
        running.killWithoutWaiting();
      }
    }, "crashloop-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      long startDeadline = System.nanoTime() + settings.checkTimeout().toNanos();
      startSupervised(startDeadline);
      broker.awaitAnswer("/readyz", startDeadline);
      admin = new TollgateAdmin(launch.baseUrl(), launch.adminKey());
      fixture = setUp();
      say("broker pid " + broker.pid() + " on http " + launch.httpPort() + ", tcp " + launch.tcpPort() + ", data "
          + launch.dataDir() + "; topic " + fixture.topic() + ", subscription " + fixture.subscription());
      try (SteadyProducer producer = new SteadyProducer(SOURCE, fixture.topic(), fixture.key(), launch.tcpPort(),
          settings.eventsPerSecond(), positions);
           ResumingSubscriber consumer = new ResumingSubscriber(launch.baseUrl(), fixture.key(), fixture.subscription(),
               consumed)) {
        // The first kill comes only after the node has taken publishes (a cold JVM on a busy
        // machine may take seconds for its first), as every later one does after the checks.
        long firstDeadline = System.nanoTime() + settings.checkTimeout().toNanos();
        if (awaitTime(() -> producer.firstAckAfter(started), firstDeadline).isEmpty()) {
          violations.add("no publish was accepted within " + settings.checkTimeout() + " of the first start");
        }
        long upSince = System.nanoTime();
        for (int number = 1; violations.isEmpty() && number <= settings.cycles() && System.nanoTime() - stopBy < 0;
             number++) {
          Cycle cycle = cycle(number, upSince, producer, consumer);
          upSince = System.nanoTime();
          cycles.add(cycle);
          out.println(cycle.toJson());
          out.flush();
          say("cycle " + number + ": ready " + cycle.readyMillis() + " ms, first publish " + cycle.firstPublishMillis()
              + " ms, consumer resumed " + cycle.consumerResumedMillis() + " ms after the start; "
              + cycle.ackedBeforeKill() + " acked before the kill"
              + (cycle.violations().isEmpty() ? "" : "; " + cycle.violations()));
          violations.addAll(cycle.violations());
        }
        producer.close();
        if (violations.isEmpty()) {
          try {
            violations.addAll(finalChecks(producer.acked()));
            violations.addAll(producer.violations());
          } catch (TollgateException failed) {
            violations.add("at the end: " + failed.getMessage());
          }
        }
        ObjectNode summary = summary(started, producer, consumer.connectionAttempts(), violations);
        out.println(summary);
        out.flush();
        return summary;
      }
    } finally {
      if (broker != null) {
        broker.stop();
      }
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: the node is stopped either way
      }
    }
  }

  private Cycle cycle(int number, long upSince, SteadyProducer producer, ResumingSubscriber consumer)
      throws IOException, InterruptedException {
    long uptime = settings.minUptime().toMillis()
        + (long) (random.nextDouble() * (settings.maxUptime().toMillis() - settings.minUptime().toMillis()));
    Thread.sleep(Math.max(0, uptime - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upSince)));
    long failuresBefore = producer.failures();
    long duplicatesBefore = producer.duplicates();
    broker.kill();
    long killed = System.nanoTime();
    BitSet ackedBeforeKill = producer.acked();

    long launched = System.nanoTime();
    long startDeadline = launched + settings.checkTimeout().toNanos();
    int starts = 0;
    OptionalLong healthz = OptionalLong.empty();
    OptionalLong ready = OptionalLong.empty();
    OptionalLong firstPublish = OptionalLong.empty();
    OptionalLong resumed = OptionalLong.empty();
    long billed = -1;
    List<String> violations = new ArrayList<>();
    try {
      starts = startSupervised(startDeadline);
      healthz = OptionalLong.of(System.nanoTime());
      broker.awaitAnswer("/readyz", startDeadline);
      ready = OptionalLong.of(System.nanoTime());
      // The start has had its check timeout; the clients get theirs from the node's readiness.
      long clientsDeadline = ready.getAsLong() + settings.checkTimeout().toNanos();
      firstPublish = awaitTime(() -> producer.firstAckAfter(launched), clientsDeadline);
      resumed = awaitTime(() -> consumer.firstDeliveryAfter(launched), clientsDeadline);
      if (firstPublish.isEmpty()) {
        violations.add("no publish was accepted within " + settings.checkTimeout() + " of the node's readiness");
      }
      if (resumed.isEmpty()) {
        violations.add("the consumer received nothing within " + settings.checkTimeout() + " of the node's readiness");
      }
      violations.addAll(checkAcknowledged(ackedBeforeKill, "before the kill"));
      billed = billedEvents();
      int received = consumed.distinct();
      if (billed > received) {
        violations.add("billing counts " + billed + " events, but the consumer received only " + received
            + " distinct events");
      }
    } catch (IllegalStateException | TollgateException failed) {
      violations.add("after the restart: " + failed.getMessage());
    }
    violations.addAll(producer.violations());
    violations.addAll(consumed.violations());
    violations.addAll(audited.violations());
    return new Cycle(number, TimeUnit.NANOSECONDS.toMillis(killed - upSince), starts, millisAfter(launched, healthz),
        millisAfter(launched, ready), millisAfter(launched, firstPublish), millisAfter(launched, resumed),
        ackedBeforeKill.cardinality(), consumed.distinct(), audited.distinct(), billed, consumed.repeats(),
        producer.failures() - failuresBefore, producer.duplicates() - duplicatesBefore, consumer.connectionAttempts(),
        violations);
  }

  /**
   * Starts the node and waits until it answers {@code /healthz}, starting it again when it exits
   * first, as a supervisor would (systemd's {@code Restart=always}, a pod's restart policy): on a
   * starved machine a start can fail, for example when the actor system's remoting does not bind
   * within its 3 s. Returns how many starts it took.
   */
  private int startSupervised(long deadline) throws IOException, InterruptedException {
    int starts = 0;
    while (true) {
      broker = BrokerChild.start(launch);
      starts++;
      try {
        broker.awaitAnswer("/healthz", deadline);
        return starts;
      } catch (IllegalStateException failed) {
        if (broker.isAlive() || System.nanoTime() - deadline > 0) {
          throw failed;
        }
        say("the node exited during start " + starts + ", starting it again: " + failed.getMessage().lines()
            .filter(line -> line.contains("Exception")).findFirst().orElse("(no exception in its log)"));
      }
    }
  }

  /**
   * Every event in {@code acked} is in the topic (the audit subscription reads it, in order, from
   * where it stopped last time) and the consumer has received it, each within the check timeout.
   */
  private List<String> checkAcknowledged(BitSet acked, String when) throws InterruptedException {
    List<String> violations = new ArrayList<>();
    long deadline = System.nanoTime() + settings.checkTimeout().toNanos();
    BitSet unread = audit(acked, deadline);
    if (!unread.isEmpty()) {
      violations.add(unread.cardinality() + " events acknowledged " + when + " are not in the topic: "
          + DeliveryLedger.sample(unread));
    }
    awaitTrue(() -> consumed.missing(acked).isEmpty(), deadline);
    BitSet missed = consumed.missing(acked);
    if (!missed.isEmpty()) {
      violations.add("the consumer did not receive " + missed.cardinality() + " events acknowledged " + when + " within "
          + settings.checkTimeout() + ": " + DeliveryLedger.sample(missed));
    }
    return violations;
  }

  /** Reads the audit subscription until it has every event of {@code acked} or the deadline passes; what it lacks. */
  private BitSet audit(BitSet acked, long deadline) throws InterruptedException {
    Subscriber reader = null;
    try {
      while (!audited.missing(acked).isEmpty() && System.nanoTime() - deadline < 0) {
        if (reader == null || reader.closed().isDone()) {
          int connection = ++auditConnections;
          try {
            reader = Subscriber.builder(launch.baseUrl(), fixture.key(), fixture.audit())
                .onDelivery(delivery -> audited.record(connection, eventNumber(delivery.event().getId()),
                    delivery.partition(), delivery.offset()))
                .connect();
          } catch (TollgateException refused) {
            reader = null;
          }
        }
        Thread.sleep(20);
      }
    } finally {
      if (reader != null) {
        reader.close();
      }
    }
    return audited.missing(acked);
  }

  /** With the producer stopped: everything acknowledged was received, and billed exactly once. */
  private List<String> finalChecks(BitSet acked) throws InterruptedException {
    List<String> violations = new ArrayList<>(checkAcknowledged(acked, "in the whole run"));
    long deadline = System.nanoTime() + settings.checkTimeout().toNanos();
    awaitTrue(() -> billedEvents() >= consumed.distinct(), deadline);
    long billed = billedEvents();
    int received = consumed.distinct();
    billedAtEnd = billed;
    if (billed != received) {
      violations.add("billing counts " + billed + " events; the consumer received and acknowledged " + received
          + " distinct events");
    }
    violations.addAll(consumed.violations());
    violations.addAll(audited.violations());
    return violations;
  }

  /** The subscription's events as billing counts them: its rows of the account's usage, over every period. */
  private long billedEvents() {
    long events = 0;
    for (JsonNode row : admin.get("/v1/accounts/" + fixture.account() + "/usage").path("data")) {
      if (row.path("subscription").asText().equals(fixture.subscription())) {
        events += row.path("events").asLong();
      }
    }
    return events;
  }

  /**
   * An account that publishes and consumes its own topic under a priced plan, with two
   * subscriptions from the beginning: the consumer's, and the audit's that reads the topic back.
   */
  private Fixture setUp() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String account = admin.createAccount("crashloop-" + suffix).path("id").asText();
    String key = admin.createKey(account, List.of("publish", "subscribe", "read")).path("secret").asText();
    String domain = "crashloop" + suffix;
    admin.createDomain(domain, account);
    String topic = domain + ".events";
    admin.createTopic(topic, domain, settings.partitions());
    String product = admin.createProduct("crashloop-" + suffix, account, List.of(topic)).path("id").asText();
    String plan = admin.createPerUnitPlan(product, "metered", "USD", "0.001").path("id").asText();
    return new Fixture(account, key, topic,
        admin.createSubscription(account, product, plan, "beginning").path("id").asText(),
        admin.createSubscription(account, product, plan, "beginning").path("id").asText());
  }

  private ObjectNode summary(long started, SteadyProducer producer, int consumerConnectionAttempts,
                             List<String> violations) {
    ObjectNode json = Cli.JSON.createObjectNode().put("type", "summary").put("ok", violations.isEmpty())
        .put("cycles", cycles.size()).put("cycles_planned", settings.cycles())
        .put("seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
        .put("rate", settings.eventsPerSecond()).put("partitions", settings.partitions()).put("seed", settings.seed())
        .put("acked", producer.acked().cardinality()).put("received", consumed.distinct()).put("redelivered", consumed.repeats())
        .put("audited", audited.distinct()).put("billed", billedAtEnd).put("publish_failures", producer.failures())
        .put("duplicates_answered", producer.duplicates())
        .put("consumer_connection_attempts", consumerConnectionAttempts).put("work_dir", workDir.toString());
    ObjectNode restart = json.putObject("restart_ms");
    spread(restart.putObject("healthz"), cycles.stream().mapToLong(Cycle::healthzMillis).toArray());
    spread(restart.putObject("ready"), cycles.stream().mapToLong(Cycle::readyMillis).toArray());
    spread(restart.putObject("first_publish_accepted"), cycles.stream().mapToLong(Cycle::firstPublishMillis).toArray());
    spread(restart.putObject("consumer_resumed"), cycles.stream().mapToLong(Cycle::consumerResumedMillis).toArray());
    ArrayNode listed = json.putArray("violations");
    violations.forEach(listed::add);
    return json;
  }

  /** Median, 95th percentile (nearest rank) and maximum. */
  private static void spread(ObjectNode json, long[] values) {
    if (values.length == 0) {
      return;
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    json.put("p50", sorted[(int) Math.ceil(0.50 * sorted.length) - 1])
        .put("p95", sorted[(int) Math.ceil(0.95 * sorted.length) - 1])
        .put("max", sorted[sorted.length - 1]);
  }

  private static OptionalLong awaitTime(Supplier<OptionalLong> probe, long deadline) throws InterruptedException {
    while (true) {
      OptionalLong value = probe.get();
      if (value.isPresent() || System.nanoTime() - deadline > 0) {
        return value;
      }
      Thread.sleep(10);
    }
  }

  private static void awaitTrue(BooleanSupplier condition, long deadline) throws InterruptedException {
    while (!condition.getAsBoolean() && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
  }

  /** Milliseconds from {@code start} to {@code end}; -1 when it did not happen within the check timeout. */
  private static long millisAfter(long start, OptionalLong end) {
    return end.isPresent() ? TimeUnit.NANOSECONDS.toMillis(end.getAsLong() - start) : -1;
  }

  private void say(String line) {
    progress.println("[crashloop] " + line);
    progress.flush();
  }
}
