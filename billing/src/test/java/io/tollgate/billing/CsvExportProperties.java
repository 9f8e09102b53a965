package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** What CsvExport writes, read back by an independent RFC 4180 parser. */
class CsvExportProperties {
  private static final CSVFormat RFC_4180 = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();

  @Property
  void invoiceLinesReadBackAsWritten(@ForAll("invoiceRows") List<CsvExport.InvoiceRow> rows) throws IOException {
    List<CSVRecord> records = parse(CsvExport.invoiceLines(rows), 15);
    assertEquals(rows.size(), records.size());
    for (int i = 0; i < rows.size(); i++) {
      CsvExport.InvoiceRow row = rows.get(i);
      CSVRecord read = records.get(i);
      assertEquals(List.of(row.invoiceId(), row.number(), row.account(), row.period(), row.status(),
              row.subscription(), row.plan(), row.kind(), Integer.toString(row.tier()), Long.toString(row.quantity()),
              row.unitAmount()),
          read.toList().subList(0, 11));
      assertEquals(row.amount(), new Money(new BigDecimal(read.get("amount")), Currency.getInstance(read.get("currency"))));
      assertEquals(row.lineStart() == null ? "" : row.lineStart().toString(), read.get("period_start"));
      assertEquals(row.lineEnd() == null ? "" : row.lineEnd().toString(), read.get("period_end"));
    }
  }

  @Property
  void statementLinesReadBackAsWritten(@ForAll("statementRows") List<CsvExport.StatementRow> rows) throws IOException {
    List<CSVRecord> records = parse(CsvExport.statementLines(rows), 9);
    assertEquals(rows.size(), records.size());
    for (int i = 0; i < rows.size(); i++) {
      CsvExport.StatementRow row = rows.get(i);
      CSVRecord read = records.get(i);
      assertEquals(List.of(row.account(), row.period(), row.invoiceId(), row.consumerAccount(), row.subscription()),
          read.toList().subList(0, 5));
      Currency currency = Currency.getInstance(read.get("currency"));
      assertEquals(row.charge(), new Money(new BigDecimal(read.get("charge")), currency));
      assertEquals(row.producerShare(), new Money(new BigDecimal(read.get("producer_share")), currency));
      assertEquals(row.platformFee(), new Money(new BigDecimal(read.get("platform_fee")), currency));
    }
  }

  private static List<CSVRecord> parse(String csv, int columns) throws IOException {
    try (CSVParser parser = CSVParser.builder().setReader(new StringReader(csv)).setFormat(RFC_4180).get()) {
      assertEquals(columns, parser.getHeaderNames().size());
      List<CSVRecord> records = parser.getRecords();
      records.forEach(r -> assertEquals(columns, r.size(), r::toString));
      return records;
    }
  }

  @Provide
  Arbitrary<List<CsvExport.InvoiceRow>> invoiceRows() {
    Arbitrary<CsvExport.InvoiceRow> row = Combinators.combine(
            Combinators.combine(text(), text(), text(), text(), text(), text(), text(), text()).as(List::of),
            Arbitraries.integers().between(0, 10),
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            text(),
            money(),
            Arbitraries.longs().between(0, 4_102_444_800_000L).map(java.time.Instant::ofEpochMilli).injectNull(0.3))
        .as((t, tier, quantity, unitAmount, amount, start) -> new CsvExport.InvoiceRow(t.get(0), t.get(1), t.get(2),
            t.get(3), t.get(4), t.get(5), t.get(6), t.get(7), tier, quantity, unitAmount, amount, start,
            start == null ? null : start.plusSeconds(3600)));
    return row.list().ofMaxSize(5);
  }

  @Provide
  Arbitrary<List<CsvExport.StatementRow>> statementRows() {
    Arbitrary<CsvExport.StatementRow> row = Combinators.combine(
            Combinators.combine(text(), text(), text(), text(), text()).as(List::of),
            money(),
            Arbitraries.longs().between(-1_000_000_000L, 1_000_000_000L).list().ofSize(2))
        .as((t, charge, parts) -> new CsvExport.StatementRow(t.get(0), t.get(1), t.get(2), t.get(3), t.get(4), charge,
            sameCurrency(parts.get(0), charge), sameCurrency(parts.get(1), charge)));
    return row.list().ofMaxSize(5);
  }

  private static Money sameCurrency(long unscaled, Money like) {
    return new Money(BigDecimal.valueOf(unscaled, like.currency().getDefaultFractionDigits()), like.currency());
  }

  /** Any text, rich in what CSV must quote: commas, quotes, CR, LF, and spaces at the ends. */
  private static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars(",\"\r\n ab;'\t").ofMaxLength(12),
        Arbitraries.strings().ofMaxLength(12),
        Arbitraries.strings().all().ofMaxLength(6));
  }

  private static Arbitrary<Money> money() {
    return Combinators.combine(Arbitraries.of("USD", "JPY", "BHD", "EUR").map(Currency::getInstance),
            Arbitraries.longs().between(-1_000_000_000_000L, 1_000_000_000_000L))
        .as((currency, unscaled) -> new Money(BigDecimal.valueOf(unscaled, currency.getDefaultFractionDigits()), currency));
  }
}
