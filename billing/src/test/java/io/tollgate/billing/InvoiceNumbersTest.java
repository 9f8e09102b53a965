package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class InvoiceNumbersTest {

  @Test
  void numberingStartsAtZeroAndTheFirstInvoiceIsOne() {
    InvoiceNumbers start = InvoiceNumbers.start("TG");
    assertEquals(0, start.last());
    assertEquals(1, start.next().last());
    assertEquals("TG-000001", start.next().format());
  }

  @Test
  void numbersArePaddedToSixDigitsAndGrowBeyond() {
    assertEquals("TG-000042", new InvoiceNumbers("TG", 42).format());
    assertEquals("TG-999999", new InvoiceNumbers("TG", 999_999).format());
    assertEquals("TG-1000000", new InvoiceNumbers("TG", 999_999).next().format());
  }

  @Test
  void digitsAreAsciiWhateverTheDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("ar-EG-u-nu-arab"));
      assertEquals("TG-000042", new InvoiceNumbers("TG", 42).format());
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void aPrefixIsRequiredAndNumbersAreNotNegative() {
    assertThrows(NullPointerException.class, () -> InvoiceNumbers.start(null));
    assertThrows(IllegalArgumentException.class, () -> InvoiceNumbers.start(" "));
    assertThrows(IllegalArgumentException.class, () -> new InvoiceNumbers("TG", -1));
  }

  @Test
  void numberingNeverWrapsAround() {
    assertThrows(ArithmeticException.class, () -> new InvoiceNumbers("TG", Long.MAX_VALUE).next());
  }
}
