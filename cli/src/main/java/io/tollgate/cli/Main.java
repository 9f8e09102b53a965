package io.tollgate.cli;

import io.tollgate.broker.node.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tollgate} command that {@code ./tollgate} runs: {@code run} starts a node (the
 * broker's command), the other commands are clients of one, built on the SDK: publish, subscribe,
 * loadgen, verify-billing, and the management commands ({@link ManagementCommands}); the hidden
 * {@code crashloop} is a benchmark that kills nodes of its own.
 */
@Command(name = "tollgate", mixinStandardHelpOptions = true, versionProvider = io.tollgate.broker.Main.Version.class,
    description = "Tollgate: API management for event-driven APIs.",
    subcommands = {RunCommand.class, PublishCommand.class, SubscribeCommand.class, LoadGenCommand.class,
        VerifyBillingCommand.class, CrashLoopCommand.class, CommandLine.HelpCommand.class})
public final class Main {
  public static void main(String[] args) {
    io.tollgate.broker.Main.sizeCommonPool();
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine tollgate = new CommandLine(new Main());
    ManagementCommands.addTo(tollgate);
    return tollgate;
  }
}
