package io.tollgate.broker.invoicing.verification;

/**
 * One way a journaled document differs from its recomputation: the {@code document} (an invoice,
 * credit note, statement or number), the {@code line} within it (empty for the document itself),
 * the {@code field}, and both values as text, amounts at the currency's scale ({@code "none"}
 * where there is nothing).
 */
public record Difference(String document, String line, String field, String expected, String found) {
  static final String NONE = "none";

  @Override
  public String toString() {
    return document + (line.isEmpty() ? "" : " [" + line + "]") + " " + field + ": expected " + expected + ", found " + found;
  }
}
