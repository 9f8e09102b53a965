package io.tollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.ClientTls;
import io.tollgate.client.TollgateAdmin;
import io.tollgate.client.TollgateException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tollgate verify-billing}: asks a running node to recompute every finalized invoice,
 * credit note and statement from its journals ({@code GET /v1/billing/verification}) and prints
 * the report. A running node owns its store, so the recomputation runs there.
 */
@Command(name = "verify-billing",
    description = {
        "Recomputes every finalized invoice, credit note and producer statement of one account (--account) or of all "
            + "accounts from the node's journals, and prints every difference to the cent.",
        "Takes the operator's admin key. Exits with 0 when nothing differs, " + VerifyBillingCommand.DIFFERENCES
            + " when something does, and 1 (printing the error code) when the node cannot be asked."})
public final class VerifyBillingCommand implements Callable<Integer> {
  /** The exit code when the verification found a difference; 1 is a failure to ask, 2 a usage error. */
  static final int DIFFERENCES = 3;

  @Option(names = "--account", description = "Verify this account's documents only (default: every account, and the numbering).")
  String account;

  @Option(names = "--key", defaultValue = Cli.KEY_FROM_ENV, description = "The operator's admin key (default: $TOLLGATE_KEY).")
  String key;

  @Option(names = "--url", defaultValue = Cli.DEFAULT_URL, description = "Broker HTTP base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--ca-file", paramLabel = "PEM", description = Cli.CA_FILE_HELP)
  Path caFile;

  @Option(names = "--json", description = "Print the node's report as JSON instead of text.")
  boolean json;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    String apiKey = Cli.requireKey(spec, key);
    ClientTls tls = Cli.tls(caFile, url);
    TollgateAdmin node = tls == null ? new TollgateAdmin(url, apiKey) : new TollgateAdmin(url, apiKey, tls.httpClient());
    JsonNode report;
    try {
      report = node.get("/v1/billing/verification"
          + (account == null ? "" : "?account=" + URLEncoder.encode(account, StandardCharsets.UTF_8)));
    } catch (TollgateException e) {
      return Cli.fail(spec, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(json ? report.toString() : describe(report));
    out.flush();
    return report.get("differences").isEmpty() ? 0 : DIFFERENCES;
  }

  /** One line per difference, then what was checked. */
  static String describe(JsonNode report) {
    StringBuilder text = new StringBuilder();
    for (JsonNode difference : report.get("differences")) {
      String line = difference.get("line").asText();
      text.append(difference.get("document").asText()).append(line.isEmpty() ? "" : " [" + line + "]").append(' ')
          .append(difference.get("field").asText()).append(": expected ").append(difference.get("expected").asText())
          .append(", found ").append(difference.get("found").asText()).append('\n');
    }
    JsonNode checked = report.get("checked");
    String scope = report.get("account").isNull() ? "all accounts" : report.get("account").asText();
    text.append(scope).append(": checked ").append(checked.get("invoices").asInt()).append(" invoices, ")
        .append(checked.get("credit_notes").asInt()).append(" credit notes, ")
        .append(checked.get("statements").asInt()).append(" statements (")
        .append(checked.get("revenue_credits").asInt()).append(" revenue credits) against ")
        .append(checked.get("usage_records").asInt()).append(" usage records; ")
        .append(report.get("pending_credits").asInt()).append(" credits on their way; ");
    int differences = report.get("differences").size();
    text.append(differences == 0 ? "no difference" : differences + (differences == 1 ? " difference" : " differences"));
    return text.toString();
  }
}
