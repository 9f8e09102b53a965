package io.tollgate.broker;

import io.tollgate.broker.node.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The node's own entry point: {@code run} starts a node. The {@code tollgate} command that
 * {@code ./tollgate} runs, with the client commands beside {@code run}, is the cli module's
 * {@code io.tollgate.cli.Main}; the broker does not know the SDK.
 */
@Command(name = "tollgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Tollgate: API management for event-driven APIs.",
    subcommands = {RunCommand.class, CommandLine.HelpCommand.class})
public final class Main {
  /**
   * On a machine with 2 cores the JDK's common pool has one thread, and CompletableFuture then
   * runs every asynchronous callback on a new thread of its own. Pekko's Java API completes
   * asks through such callbacks, so that meant a thread per request. Must be set before the
   * first use of ForkJoinPool.
   */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    sizeCommonPool();
    System.exit(commandLine().execute(args));
  }

  /** Gives the common pool at least 4 threads unless the command line chose; see {@link #COMMON_POOL_PARALLELISM}. */
  public static void sizeCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  /** The version the jar's manifest names, for {@code --version}. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tollgate " + (version == null ? "development build" : version)};
    }
  }
}
