package io.tollgate.cli;

import io.tollgate.client.BatchSettings;
import io.tollgate.client.HostAndPort;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tollgate loadgen}: the command-line shell around {@link LoadGenerator}. */
@Command(name = "loadgen",
    description = {
        "Benchmarks a broker. tcp and http: one producer publishes as fast as the broker acks; "
            + "reports throughput and publish-to-ack latency.",
        "e2e: publishes at --rate while subscribed to --subscription (after --warmup, measured apart); reports "
            + "publish-to-receive latency, publish-to-ack latency per second, when the stream opened and the first "
            + "ack and delivery came, and lost, duplicate and out-of-order events (exit code 1 if there are any).",
        "drain: publishes --events first (not measured), then receives and acks them all on --subscription; "
            + "reports events/s and lost, duplicate and out-of-order events (exit code 1 if there are any).",
        "e2e and drain receive over WebSocket, or as server-sent events with --consume-via sse (acks posted in the "
            + "background, one in flight per partition).",
        "ack-to-invoice: --samples times, publishes one event, receives and acks it, and reads the upcoming invoice "
            + "of --account until it shows the event; reports ack-to-invoice latency.",
        "fanout: e2e with --subscribers WebSocket subscribers, each on a subscription of its own (needs --setup); "
            + "reports deliveries/s and publish-to-receive latency over all deliveries.",
        "webhook: fan-out by webhook to --endpoints endpoints the load generator serves on loopback (needs --setup; "
            + "the node needs tollgate.webhooks.secret-key and allow-private-targets), each on a webhook subscription of "
            + "its own, each request's signature checked; publishes at --rate, or with --rate 0 --events as fast as acks "
            + "allow; reports deliveries/s, publish-to-receipt latency, and lost, duplicate and out-of-order events per "
            + "endpoint and partition (exit code 1 if there are any, or a bad signature).",
        "idle: opens --streams streams that receive nothing (needs --setup), holds them for --warmup (not measured) "
            + "and then --duration, and reports the broker's CPU over that --duration and its heap per stream (from its /metrics; with --broker-pid, "
            + "after a full GC, and its resident set).",
        "subscriptions: creates --subscriptions subscriptions (needs --setup) and reports the broker's heap per subscription.",
        "With --batch-size 1, events are sent one by one through the SDK's batching publisher (--linger); "
            + "--explicit-batches sends each as a publish of its own instead.",
        "Progress goes to stderr every second, with that second's latency percentiles; the summary is one JSON line "
            + "on stdout, with the percentiles of every second in seconds_latency_ms."})
public final class LoadGenCommand implements Callable<Integer> {
  @Option(names = "--mode", defaultValue = "tcp",
      description = "tcp, http, e2e, fanout, webhook, idle, subscriptions, drain or ack-to-invoice "
          + "(default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--key", defaultValue = Cli.KEY_FROM_ENV,
      description = "API key (default: $TOLLGATE_KEY); with --setup, an admin key.")
  String key;

  @Option(names = "--url", defaultValue = Cli.DEFAULT_URL, description = "Broker HTTP base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--tcp", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7070", converter = Cli.HostAndPortConverter.class,
      description = "Broker TCP address (default: ${DEFAULT-VALUE}).")
  HostAndPort tcp;

  @Option(names = "--ca-file", paramLabel = "PEM", description = Cli.CA_FILE_HELP)
  Path caFile;

  @Option(names = "--topic", description = "Topic to publish to (required unless --setup).")
  String topic;

  @Option(names = "--subscription",
      description = "e2e, drain, ack-to-invoice: subscription to receive on; it must include --topic.")
  String subscription;

  @Option(names = "--account", description = "ack-to-invoice: the account of --subscription, whose upcoming invoice is read.")
  String account;

  @Option(names = "--setup", description = "Create a fresh account, key, topic, product, plan and subscription "
      + "with the admin --key, and run against those.")
  boolean setup;

  @Option(names = "--partitions", defaultValue = "4", description = "With --setup: partitions of the topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--publish-via", defaultValue = "tcp",
      description = "e2e, drain, ack-to-invoice: publish over tcp or http (default: ${DEFAULT-VALUE}).")
  String publishVia;

  @Option(names = "--consume-via", defaultValue = "websocket",
      description = "e2e, drain: receive over websocket or as server-sent events, sse (default: ${DEFAULT-VALUE}).")
  String consumeVia;

  @Option(names = "--event-bytes", defaultValue = "256", description = "Bytes of data per event (default: ${DEFAULT-VALUE}).")
  int eventBytes;

  @Option(names = "--events", paramLabel = "N",
      description = "Publish N events (instead of for --duration); drain: the backlog (default: 200000).")
  Long events;

  @Option(names = "--duration", defaultValue = "30s", converter = Cli.DurationConverter.class,
      description = "How long to publish, e.g. 30s, 2m (default: ${DEFAULT-VALUE}); ignored with --events, "
          + "in drain and in ack-to-invoice.")
  Duration duration;

  @Option(names = "--batch-size", defaultValue = "100",
      description = "Events per publish; in e2e the most sent together when behind schedule (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--in-flight", defaultValue = "64", description = "Publishes awaiting their ack, at most (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--linger", defaultValue = "5ms", converter = Cli.DurationConverter.class,
      description = "With --batch-size 1: how long the batching publisher lets a batch fill (default: ${DEFAULT-VALUE}).")
  Duration linger;

  @Option(names = "--buffer-bytes",
      description = "With --batch-size 1: bytes of events the batching publisher holds unacknowledged, at most "
          + "(default: the SDK's, BatchSettings.DEFAULTS).")
  Long bufferBytes;

  @Option(names = "--explicit-batches",
      description = "With --batch-size 1: publish each event alone, without the batching publisher.")
  boolean explicitBatches;

  @Option(names = "--subscribers", defaultValue = "100", description = "fanout: subscribers (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--endpoints", defaultValue = "100",
      description = "webhook: endpoints, each on a webhook subscription of its own (default: ${DEFAULT-VALUE}).")
  int endpoints;

  @Option(names = "--webhook-batch-size", paramLabel = "N",
      description = "webhook: each subscription's batch_size (default: the node's tollgate.webhooks.batch-size).")
  Integer webhookBatchSize;

  @Option(names = "--webhook-concurrency", paramLabel = "N",
      description = "webhook: each subscription's concurrency (default: the node's tollgate.webhooks.concurrency).")
  Integer webhookConcurrency;

  @Option(names = "--streams", defaultValue = "1000", description = "idle: streams to open (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(names = "--subscriptions", defaultValue = "1000",
      description = "subscriptions: how many to create (default: ${DEFAULT-VALUE}).")
  int subscriptions;

  @Option(names = "--broker-pid", paramLabel = "PID",
      description = "idle, subscriptions: the broker's process id on this machine, for its heap after a full GC "
          + "(jcmd) and its resident set.")
  Long brokerPid;

  @Option(names = "--warmup", defaultValue = "0s", converter = Cli.DurationConverter.class,
      description = "e2e: before measuring, publish at --rate for this long on the same stream and wait for those "
          + "events to arrive, measured apart, as a consumer that has run a while sees it; idle: hold the streams this "
          + "long before the broker's CPU is counted, so that what opening them left to do is done "
          + "(default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(names = "--rate", defaultValue = "1000", description = "e2e, fanout, webhook: events per second; webhook: 0 "
      + "publishes --events as fast as acks allow (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--samples", defaultValue = "50", description = "ack-to-invoice: measurements to take (default: ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--drain-timeout", defaultValue = "30s", converter = Cli.DurationConverter.class,
      description = "How long to wait for the last acks; e2e, drain: for the next event to arrive; "
          + "ack-to-invoice: for each sample (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  // Only help: a version option belongs to the tollgate command these are registered under.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    String apiKey = Cli.requireKey(spec, key);
    PrintWriter err = spec.commandLine().getErr();
    LoadGenerator.Mode runMode = parseMode(mode);
    LoadGenerator.Settings settings = new LoadGenerator.Settings()
        .mode(runMode)
        .publishVia(parseTransport(publishVia))
        .consumeVia(LoadGenerator.Consumption.byId(consumeVia).orElseThrow(() -> new CommandLine.ParameterException(
            spec.commandLine(), "--consume-via must be websocket or sse, was " + consumeVia)))
        .url(url)
        .tcp(tcp)
        .apiKey(apiKey)
        .topic(topic)
        .subscription(subscription)
        .account(account)
        .eventBytes(eventBytes)
        .events(events == null ? 0 : events)
        .duration(duration)
        .batchSize(batchSize)
        .inFlight(inFlight)
        .rate(rate)
        .samples(samples)
        .drainTimeout(drainTimeout)
        .warmup(warmup)
        .progress(err)
        .tls(Cli.tls(caFile, url))
        .linger(linger)
        .bufferBytes(bufferBytes == null ? BatchSettings.DEFAULTS.bufferBytes() : bufferBytes)
        .explicitBatches(explicitBatches)
        .subscribers(subscribers)
        .streams(streams)
        .subscriptions(subscriptions)
        .endpoints(endpoints)
        .webhookShape(webhookBatchSize, webhookConcurrency)
        .brokerPid(brokerPid);
    try {
      if (setup) {
        LoadGenerator.Fixture fixture = LoadGenerator.setUp(new TollgateAdmin(url, apiKey, settings.httpClient()), partitions);
        err.println("set up: account " + fixture.accountId() + ", topic " + fixture.topic() + ", subscription " + fixture.subscriptionId());
        err.flush();
        settings.apiKey(fixture.apiKey()).topic(fixture.topic()).subscription(fixture.subscriptionId())
            .account(fixture.accountId()).offer(fixture.product(), fixture.plan());
      } else {
        requireWithoutSetup(runMode);
      }
      LoadGenerator.Summary summary = LoadGenerator.run(settings);
      PrintWriter out = spec.commandLine().getOut();
      out.println(summary.toJson());
      out.flush();
      return summary.ok() ? 0 : CommandLine.ExitCode.SOFTWARE;
    } catch (TollgateException e) {
      return Cli.fail(spec, e);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** The options a mode needs when it does not set up its own fixture. */
  private void requireWithoutSetup(LoadGenerator.Mode runMode) {
    if (runMode.createsSubscriptions()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--mode " + runMode.id() + " needs --setup");
    }
    List<String> missing = new ArrayList<>();
    if (topic == null) {
      missing.add("--topic");
    }
    if (runMode.subscribes() && subscription == null) {
      missing.add("--subscription");
    }
    if (runMode == LoadGenerator.Mode.ACK_TO_INVOICE && account == null) {
      missing.add("--account");
    }
    if (!missing.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " needed, or --setup");
    }
  }

  private LoadGenerator.Mode parseMode(String value) {
    return LoadGenerator.Mode.byId(value).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
        "--mode must be tcp, http, e2e, fanout, webhook, idle, subscriptions, drain or ack-to-invoice, was " + value));
  }

  private LoadGenerator.Mode parseTransport(String value) {
    return switch (value) {
      case "tcp" -> LoadGenerator.Mode.TCP;
      case "http" -> LoadGenerator.Mode.HTTP;
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "--publish-via must be tcp or http, was " + value);
    };
  }
}
