package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** One {@code tollgate} command dispatches to the broker's node and to the SDK's clients. */
class MainTest {
  @Test
  void theTollgateCommandRunsANodeAndTheClients() {
    assertEquals(List.of("run", "publish", "subscribe", "loadgen", "verify-billing", "crashloop", "help", "me", "accounts", "keys",
            "sessions", "usage", "invoices", "statements", "wallet", "alerts", "domains", "topics", "products", "plans",
            "catalog", "subscriptions", "analytics", "webhooks", "audit", "cluster"),
        List.copyOf(Main.commandLine().getSubcommands().keySet()));
  }

  @Test
  void theCrashLoopIsHiddenFromTheHelp() {
    StringWriter help = new StringWriter();
    assertEquals(0, Main.commandLine().setOut(new PrintWriter(help)).execute("--help"));
    assertTrue(help.toString().contains("loadgen"), help.toString());
    assertTrue(!help.toString().contains("crashloop"), help.toString());
  }

  @Test
  void theBrokersOwnEntryPointOnlyRunsANode() {
    assertEquals(Set.of("run", "help"), io.tollgate.broker.Main.commandLine().getSubcommands().keySet());
  }

  @Test
  void runTakesTheNodesFlags() {
    StringWriter help = new StringWriter();
    CommandLine tollgate = Main.commandLine().setOut(new PrintWriter(help));
    assertEquals(0, tollgate.execute("run", "--help"));
    for (String flag : List.of("--http-port", "--tcp-port", "--host", "--data-dir", "--config", "--cluster-port",
        "--management-port", "--seed-nodes", "--cassandra")) {
      assertTrue(help.toString().contains(flag), flag + " in " + help);
    }
  }
}
