package io.tollgate.broker;

import io.tollgate.broker.node.RunCommand;
import io.tollgate.client.LoadGenCommand;
import io.tollgate.client.PublishCommand;
import io.tollgate.client.SubscribeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tollgate} command: {@code run} starts a node; the other commands are clients of one. */
@Command(name = "tollgate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Tollgate: API management for event-driven APIs.",
    subcommands = {RunCommand.class, PublishCommand.class, SubscribeCommand.class, LoadGenCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  /**
   * On a machine with 2 cores the JDK's common pool has one thread, and CompletableFuture then
   * runs every asynchronous callback on a new thread of its own. Pekko's Java API completes
   * asks through such callbacks, so that meant a thread per request. Must be set before the
   * first use of ForkJoinPool.
   */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tollgate " + (version == null ? "development build" : version)};
    }
  }
}
