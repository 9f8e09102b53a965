package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tollgate subscribe}'s options; receiving over both transports is EventStreamTest's and the e2e tests'. */
class SubscribeCommandTest {
  private final StringWriter err = new StringWriter();
  private final CommandLine tollgate = Main.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()));

  @Test
  void lastEventIdNeedsTheEventStream() {
    assertEquals(2, tollgate.execute("subscribe", "--subscription", "sub_x", "--key", "key_x.secret",
        "--last-event-id", "t:0:1:0"));
    assertTrue(err.toString().contains("--last-event-id needs --sse"), err.toString());
  }

  @Test
  void anEventStreamThatCannotConnectFailsWithItsCode() {
    assertEquals(1, tollgate.execute("subscribe", "--sse", "--subscription", "sub_x", "--key", "key_x.secret",
        "--url", "http://127.0.0.1:1"));
    assertTrue(err.toString().contains("connection_failed"), err.toString());
  }
}
