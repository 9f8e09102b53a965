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
  public static void main(String[] args) {
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
