package io.tollgate.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate crashloop}: the shell around {@link CrashLoop}, for bench/crashloop.sh. Hidden
 * from the help: it starts and kills brokers of its own, which is a test of the product, not a
 * use of it.
 */
@Command(name = "crashloop", hidden = true,
    description = {
        "Starts a node on a data directory (as a child process on this classpath), publishes at --rate and consumes "
            + "with acks, and kills the node with SIGKILL after a random uptime between --min-uptime and --max-uptime, "
            + "--cycles times, restarting it on the same data directory and ports.",
        "After each restart: every acknowledged publish is in the topic, read back in order; the consumer receives it, "
            + "with repeats only across reconnects; billing counts no more than the consumer received. At the end: "
            + "billing counts exactly the distinct events the consumer received and acked.",
        "One JSON line per cycle on stdout, then a summary line; exit code 1 on any violation."})
public final class CrashLoopCommand implements Callable<Integer> {
  @Option(names = "--cycles", defaultValue = "100", description = "Kills and restarts (default: ${DEFAULT-VALUE}).")
  int cycles;

  @Option(names = "--min-uptime", defaultValue = "5s", converter = Cli.DurationConverter.class,
      description = "Shortest time between one restart's checks and the next kill (default: ${DEFAULT-VALUE}).")
  Duration minUptime;

  @Option(names = "--max-uptime", defaultValue = "15s", converter = Cli.DurationConverter.class,
      description = "Longest such time (default: ${DEFAULT-VALUE}).")
  Duration maxUptime;

  @Option(names = "--rate", defaultValue = "200", description = "Events per second published (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the topic (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the node's data directory and log go (default: a new temporary directory).")
  Path workDir;

  @Option(names = "--broker-opts", defaultValue = "-Xms256m -Xmx1g",
      description = "JVM options of the node, space-separated (default: ${DEFAULT-VALUE}).")
  String brokerOptions;

  @Option(names = "--check-timeout", defaultValue = "60s", converter = Cli.DurationConverter.class,
      description = "How long each restart and each check may take (default: ${DEFAULT-VALUE}).")
  Duration checkTimeout;

  @Option(names = "--max-time", defaultValue = "60m", converter = Cli.DurationConverter.class,
      description = "Start no cycle after this long; the summary says how many ran (default: ${DEFAULT-VALUE}).")
  Duration maxTime;

  @Option(names = "--seed", description = "Seed of the random uptimes (default: the clock); the summary shows it.")
  Long seed;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    CrashLoop.Settings settings;
    try {
      settings = new CrashLoop.Settings(cycles, minUptime, maxUptime, rate, partitions,
          workDir, options(brokerOptions),
          checkTimeout, maxTime, seed != null ? seed : System.nanoTime());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    ObjectNode summary = CrashLoop.run(settings, spec.commandLine().getOut(), spec.commandLine().getErr());
    return summary.path("ok").asBoolean() ? 0 : CommandLine.ExitCode.SOFTWARE;
  }

  private static List<String> options(String spaceSeparated) {
    return Arrays.stream(spaceSeparated.trim().split("\\s+")).filter(option -> !option.isEmpty()).toList();
  }
}
