package io.tollgate.client;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
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
        "e2e: publishes at --rate while subscribed to --subscription; reports publish-to-receive latency "
            + "and lost, duplicate and out-of-order events (exit code 1 if there are any).",
        "Progress goes to stderr every second; the summary is one JSON line on stdout."})
public final class LoadGenCommand implements Callable<Integer> {
  @Option(names = "--mode", defaultValue = "tcp", description = "tcp, http or e2e (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--key", defaultValue = Cli.KEY_FROM_ENV,
      description = "API key (default: $TOLLGATE_KEY); with --setup, an admin key.")
  String key;

  @Option(names = "--url", defaultValue = Cli.DEFAULT_URL, description = "Broker HTTP base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--tcp", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7070", converter = Cli.HostAndPortConverter.class,
      description = "Broker TCP address (default: ${DEFAULT-VALUE}).")
  HostAndPort tcp;

  @Option(names = "--topic", description = "Topic to publish to (required unless --setup).")
  String topic;

  @Option(names = "--subscription", description = "e2e: subscription to receive on; it must include --topic.")
  String subscription;

  @Option(names = "--setup", description = "Create a fresh account, key, topic, product, plan and subscription "
      + "with the admin --key, and run against those.")
  boolean setup;

  @Option(names = "--partitions", defaultValue = "4", description = "With --setup: partitions of the topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--publish-via", defaultValue = "tcp", description = "e2e: publish over tcp or http (default: ${DEFAULT-VALUE}).")
  String publishVia;

  @Option(names = "--event-bytes", defaultValue = "256", description = "Bytes of data per event (default: ${DEFAULT-VALUE}).")
  int eventBytes;

  @Option(names = "--events", paramLabel = "N", description = "Publish N events (instead of for --duration).")
  Long events;

  @Option(names = "--duration", defaultValue = "30s", converter = Cli.DurationConverter.class,
      description = "How long to publish, e.g. 30s, 2m (default: ${DEFAULT-VALUE}); ignored with --events.")
  Duration duration;

  @Option(names = "--batch-size", defaultValue = "100",
      description = "Events per publish; in e2e the most sent together when behind schedule (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--in-flight", defaultValue = "64", description = "Publishes awaiting their ack, at most (default: ${DEFAULT-VALUE}).")
  int inFlight;

  @Option(names = "--rate", defaultValue = "1000", description = "e2e: events per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--drain-timeout", defaultValue = "30s", converter = Cli.DurationConverter.class,
      description = "How long to wait for the last acks and, in e2e, the last events (default: ${DEFAULT-VALUE}).")
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
    LoadGenerator.Settings settings = new LoadGenerator.Settings()
        .mode(parseMode(mode, "--mode"))
        .publishVia(parseMode(publishVia, "--publish-via"))
        .url(url)
        .tcp(tcp)
        .apiKey(apiKey)
        .topic(topic)
        .subscription(subscription)
        .eventBytes(eventBytes)
        .events(events == null ? 0 : events)
        .duration(duration)
        .batchSize(batchSize)
        .inFlight(inFlight)
        .rate(rate)
        .drainTimeout(drainTimeout)
        .progress(err);
    try {
      if (setup) {
        LoadGenerator.Fixture fixture = LoadGenerator.setUp(new TollgateAdmin(url, apiKey), partitions);
        err.println("set up: account " + fixture.accountId() + ", topic " + fixture.topic() + ", subscription " + fixture.subscriptionId());
        err.flush();
        settings.apiKey(fixture.apiKey()).topic(fixture.topic()).subscription(fixture.subscriptionId());
      } else if (topic == null || (mode.equals("e2e") && subscription == null)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--topic" + (mode.equals("e2e") ? " and --subscription are" : " is") + " needed, or --setup");
      }
      LoadGenerator.Summary summary = LoadGenerator.run(settings);
      PrintWriter out = spec.commandLine().getOut();
      out.println(summary.toJson());
      out.flush();
      return summary.delivery() == null || summary.delivery().ok() ? 0 : CommandLine.ExitCode.SOFTWARE;
    } catch (TollgateException e) {
      return Cli.fail(spec, e);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private LoadGenerator.Mode parseMode(String value, String option) {
    return switch (value) {
      case "tcp" -> LoadGenerator.Mode.TCP;
      case "http" -> LoadGenerator.Mode.HTTP;
      case "e2e" -> LoadGenerator.Mode.E2E;
      default -> throw new CommandLine.ParameterException(spec.commandLine(), option + " must be tcp, http or e2e, was " + value);
    };
  }
}
