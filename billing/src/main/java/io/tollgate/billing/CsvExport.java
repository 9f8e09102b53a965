package io.tollgate.billing;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Invoices and statements as CSV for spreadsheets and accounting imports: RFC 4180 (comma
 * separated, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, quotes inside
 * doubled), a header row of snake_case names, one row per line, amounts as plain decimals at the
 * currency's scale ({@code "12.30"}) followed by the currency's ISO code. A null text is an empty
 * field.
 *
 * <p>Fields are written as they are: a text starting with {@code =}, {@code +}, {@code -} or
 * {@code @} is not escaped against spreadsheet formulas, since that would change the data (and
 * every negative amount); whoever serves the file to be opened in a spreadsheet decides that.
 */
public final class CsvExport {
  private static final String CRLF = "\r\n";

  private static final List<String> INVOICE_HEADER = List.of("invoice_id", "number", "account", "period", "status",
      "subscription", "plan", "kind", "tier", "quantity", "unit_amount", "amount", "currency", "period_start",
      "period_end");

  private static final List<String> STATEMENT_HEADER = List.of("account", "period", "invoice_id", "consumer_account",
      "subscription", "charge", "producer_share", "platform_fee", "currency");

  private CsvExport() {}

  /**
   * One invoice line; {@code unitAmount} is null or empty for a recurring fee. {@code lineStart} and
   * {@code lineEnd} are the stretch of the period the line bills, written as ISO instants; null (an
   * empty field) on a line finalized before they were kept.
   */
  public record InvoiceRow(String invoiceId, String number, String account, String period, String status,
                           String subscription, String plan, String kind, int tier, long quantity, String unitAmount,
                           Money amount, Instant lineStart, Instant lineEnd) {
    public InvoiceRow {
      Objects.requireNonNull(amount, "amount");
    }

    private List<String> fields() {
      return List.of(text(invoiceId), text(number), text(account), text(period), text(status), text(subscription),
          text(plan), text(kind), Integer.toString(tier), Long.toString(quantity), text(unitAmount), amount.toString(),
          amount.currency().getCurrencyCode(), lineStart == null ? "" : lineStart.toString(),
          lineEnd == null ? "" : lineEnd.toString());
    }
  }

  /**
   * One consumer invoice in a producer's statement. The three amounts share one currency.
   *
   * @throws BillingException ({@code currency_mismatch}) if they do not
   */
  public record StatementRow(String account, String period, String invoiceId, String consumerAccount,
                             String subscription, Money charge, Money producerShare, Money platformFee) {
    public StatementRow {
      Objects.requireNonNull(charge, "charge");
      Objects.requireNonNull(producerShare, "producerShare");
      Objects.requireNonNull(platformFee, "platformFee");
      if (!charge.currency().equals(producerShare.currency()) || !charge.currency().equals(platformFee.currency())) {
        throw new BillingException(BillingException.CURRENCY_MISMATCH, "charge, producer_share and platform_fee of "
            + invoiceId + " must share one currency: " + charge.currency() + ", " + producerShare.currency() + ", "
            + platformFee.currency());
      }
    }

    private List<String> fields() {
      return List.of(text(account), text(period), text(invoiceId), text(consumerAccount), text(subscription),
          charge.toString(), producerShare.toString(), platformFee.toString(), charge.currency().getCurrencyCode());
    }
  }

  public static String invoiceLines(List<InvoiceRow> rows) {
    return csv(INVOICE_HEADER, rows.stream().map(InvoiceRow::fields));
  }

  public static String statementLines(List<StatementRow> rows) {
    return csv(STATEMENT_HEADER, rows.stream().map(StatementRow::fields));
  }

  private static String csv(List<String> header, Stream<List<String>> records) {
    StringBuilder out = new StringBuilder(record(header));
    records.forEach(fields -> out.append(record(fields)));
    return out.toString();
  }

  private static String record(List<String> fields) {
    return fields.stream().map(CsvExport::field).collect(Collectors.joining(",", "", CRLF));
  }

  private static String field(String value) {
    boolean quote = value.chars().anyMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n');
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }

  private static String text(String value) {
    return value == null ? "" : value;
  }
}
