package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The crash loop's options are checked before any node starts. */
class CrashLoopCommandTest {
  private static String refused(String... args) {
    StringWriter err = new StringWriter();
    assertEquals(CommandLine.ExitCode.USAGE, Main.commandLine().setErr(new PrintWriter(err)).execute(args));
    return err.toString();
  }

  @Test
  void aShortestUptimeAboveTheLongestIsRefused() {
    String err = refused("crashloop", "--min-uptime", "10s", "--max-uptime", "5s");
    assertTrue(err.contains("--min-uptime must be at most --max-uptime"), err);
  }

  @Test
  void noCyclesAndNoRateAreRefused() {
    assertTrue(refused("crashloop", "--cycles", "0").contains("--cycles must be at least 1"));
    assertTrue(refused("crashloop", "--rate", "0").contains("--rate must be positive"));
  }
}
