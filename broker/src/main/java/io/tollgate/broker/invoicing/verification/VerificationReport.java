package io.tollgate.broker.invoicing.verification;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a verification of one account ({@code account}) or all of them (empty): how much
 * was checked, the revenue credits still on their way to a producer (retried until confirmed, so
 * not a difference), and every difference found.
 */
public record VerificationReport(Optional<String> account, Checked checked, int pendingCredits,
                                 List<Difference> differences) {
  public VerificationReport {
    differences = List.copyOf(differences);
  }

  /** Documents and records checked. */
  public record Checked(int invoices, int creditNotes, int statements, int revenueCredits, int usageRecords) {}

  public boolean consistent() {
    return differences.isEmpty();
  }
}
