package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.invoicing.verification.BillingVerifier;
import io.tollgate.broker.invoicing.verification.Difference;
import io.tollgate.broker.invoicing.verification.JournalReader;
import io.tollgate.broker.invoicing.verification.VerificationReport;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code GET /v1/billing/verification[?account=]}: every finalized invoice, credit note and
 * statement recomputed from the journals, with every difference to the cent. The operator's only:
 * it reads every tenant's billing.
 */
public final class VerificationApi {
  private final JournalReader journals;
  private final PeriodScheme periods;
  private final CatalogView view;

  public VerificationApi(JournalReader journals, PeriodScheme periods, CatalogView view) {
    this.journals = journals;
    this.periods = periods;
    this.view = view;
  }

  CompletionStage<HttpResponse> verify(Principal principal, Optional<String> account) {
    if (!principal.isOperator()) {
      throw Refusal.forbidden("only the operator's admin key may verify billing");
    }
    account.filter(id -> view.catalog().account(id).isEmpty()).ifPresent(id -> {
      throw new Refusal("account_not_found", "account " + id + " does not exist");
    });
    return journals.read(account)
        .thenApply(read -> Responses.json(200, render(BillingVerifier.verify(read, periods, account))));
  }

  private static ObjectNode render(VerificationReport report) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode();
    report.account().ifPresentOrElse(id -> body.put("account", id), () -> body.putNull("account"));
    body.put("consistent", report.consistent());
    VerificationReport.Checked checked = report.checked();
    body.putObject("checked").put("invoices", checked.invoices()).put("credit_notes", checked.creditNotes())
        .put("statements", checked.statements()).put("revenue_credits", checked.revenueCredits())
        .put("usage_records", checked.usageRecords());
    body.put("pending_credits", report.pendingCredits());
    ArrayNode differences = body.putArray("differences");
    for (Difference difference : report.differences()) {
      differences.addObject().put("document", difference.document()).put("line", difference.line())
          .put("field", difference.field()).put("expected", difference.expected()).put("found", difference.found());
    }
    return body;
  }
}
