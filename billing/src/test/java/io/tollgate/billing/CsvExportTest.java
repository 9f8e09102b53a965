package io.tollgate.billing;

import static io.tollgate.billing.BillingAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvExportTest {

  @Test
  void anInvoiceIsAHeaderAndARowPerLineWithPlainAmountsAndTheCurrency() {
    String csv = CsvExport.invoiceLines(List.of(
        new CsvExport.InvoiceRow("inv_1", "TG-000001", "acme", "2026-11", "open", "sub_1", "plan_1", "usage", 1, 1500,
            "0.0008", Money.of("1.20", "USD"), Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-11T00:00:00Z")),
        new CsvExport.InvoiceRow("inv_1", "TG-000001", "acme", "2026-11", "open", "sub_1", "plan_1", "recurring_fee", 0,
            1, null, Money.of("500", "JPY"), null, null)));
    assertEquals(
        "invoice_id,number,account,period,status,subscription,plan,kind,tier,quantity,unit_amount,amount,currency,"
            + "period_start,period_end\r\n"
            + "inv_1,TG-000001,acme,2026-11,open,sub_1,plan_1,usage,1,1500,0.0008,1.20,USD,"
            + "2026-11-01T00:00:00Z,2026-11-11T00:00:00Z\r\n"
            + "inv_1,TG-000001,acme,2026-11,open,sub_1,plan_1,recurring_fee,0,1,,500,JPY,,\r\n",
        csv, "a line finalized before its dates were kept has empty ones");
  }

  @Test
  void aStatementIsAHeaderAndARowPerInvoice() {
    RevenueSplit split = RevenueSplit.of(Money.of("10.00", "EUR"), RevenueShare.DEFAULT);
    String csv = CsvExport.statementLines(List.of(new CsvExport.StatementRow("producer", "2026-11", "inv_1", "acme",
        "sub_1", split.charge(), split.producerShare(), split.platformFee())));
    assertEquals(
        "account,period,invoice_id,consumer_account,subscription,charge,producer_share,platform_fee,currency\r\n"
            + "producer,2026-11,inv_1,acme,sub_1,10.00,7.00,3.00,EUR\r\n",
        csv);
  }

  @Test
  void fieldsWithCommasQuotesOrLineBreaksAreQuotedWithQuotesDoubled() {
    String csv = CsvExport.statementLines(List.of(new CsvExport.StatementRow("Acme, Inc.", "say \"hi\"", "a\nb", "c\rd",
        " spaced ", Money.of("1.00", "USD"), Money.of("0.70", "USD"), Money.of("0.30", "USD"))));
    assertEquals("\"Acme, Inc.\",\"say \"\"hi\"\"\",\"a\nb\",\"c\rd\", spaced ,1.00,0.70,0.30,USD\r\n",
        csv.substring(csv.indexOf("\r\n") + 2));
  }

  @Test
  void negativeAmountsArePlainDecimalsToo() {
    String csv = CsvExport.invoiceLines(List.of(new CsvExport.InvoiceRow("i", "n", "a", "p", "s", "sub", "plan",
        "credit", 0, 1, "", new Money(new BigDecimal("-1234567.5"), Currency.getInstance("USD")), null, null)));
    assertEquals("i,n,a,p,s,sub,plan,credit,0,1,,-1234567.50,USD,,\r\n", csv.substring(csv.indexOf("\r\n") + 2));
  }

  @Test
  void noRowsIsTheHeaderAlone() {
    assertEquals("account,period,invoice_id,consumer_account,subscription,charge,producer_share,platform_fee,currency\r\n",
        CsvExport.statementLines(List.of()));
  }

  @Test
  void aStatementRowHasOneCurrency() {
    assertRefused(BillingException.CURRENCY_MISMATCH, "inv_1", () -> new CsvExport.StatementRow("p", "2026-11", "inv_1",
        "c", "s", Money.of("1.00", "USD"), Money.of("0.70", "USD"), Money.of("0.30", "EUR")));
  }
}
