package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tollgate verify-billing} against a stand-in node that answers with a given report. */
class VerifyBillingCommandTest {
  private static final String CONSISTENT = """
      {"account":null,"consistent":true,"checked":{"invoices":3,"credit_notes":1,"statements":2,"revenue_credits":5,
       "usage_records":40},"pending_credits":0,"differences":[]}""";
  private static final String DIFFERENT = """
      {"account":"acc_c","consistent":false,"checked":{"invoices":1,"credit_notes":0,"statements":0,"revenue_credits":0,
       "usage_records":2},"pending_credits":0,"differences":[{"document":"inv_c_202611_usd",
       "line":"sub_1 plan_a usage tier 1","field":"amount","expected":"2.00","found":"1.00"}]}""";

  private HttpServer node;
  private final AtomicReference<String> asked = new AtomicReference<>();

  private String start(int status, String body) throws IOException {
    node = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    node.createContext("/", exchange -> {
      asked.set(exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    node.start();
    return "http://127.0.0.1:" + node.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    node.stop(0);
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aConsistentNodeExitsWithZeroAndSaysWhatWasChecked() throws IOException {
    Run run = run("verify-billing", "--url", start(200, CONSISTENT), "--key", "admin-secret");

    assertEquals(0, run.exit(), run.err());
    assertEquals("/v1/billing/verification Bearer admin-secret", asked.get());
    assertEquals("all accounts: checked 3 invoices, 1 credit notes, 2 statements (5 revenue credits) against 40 usage "
        + "records; 0 credits on their way; no difference", run.out().strip());
  }

  @Test
  void aDifferenceIsPrintedAndExitsNonZero() throws IOException {
    Run run = run("verify-billing", "--url", start(200, DIFFERENT), "--key", "admin-secret", "--account", "acc_c");

    assertEquals(VerifyBillingCommand.DIFFERENCES, run.exit());
    assertEquals("/v1/billing/verification?account=acc_c Bearer admin-secret", asked.get());
    assertTrue(run.out().startsWith(
        "inv_c_202611_usd [sub_1 plan_a usage tier 1] amount: expected 2.00, found 1.00\n"), run.out());
    assertTrue(run.out().strip().endsWith("1 difference"), run.out());
  }

  @Test
  void aRefusalIsPrintedWithItsCodeAndExitsWithOne() throws IOException {
    Run run = run("verify-billing", "--url", start(403,
        "{\"error\":{\"code\":\"forbidden\",\"message\":\"only the operator's admin key may verify billing\"}}"),
        "--key", "tenant-secret");

    assertEquals(CommandLine.ExitCode.SOFTWARE, run.exit());
    assertTrue(run.err().startsWith("error: forbidden: "), run.err());
  }
}
