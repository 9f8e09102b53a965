package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

class InvoiceNumbersProperties {

  @Property(tries = 200)
  void nCallsOfNextGiveOneToNWithoutGaps(@ForAll @IntRange(max = 2_000) int n) {
    InvoiceNumbers numbers = InvoiceNumbers.start("TG");
    Set<String> formatted = new HashSet<>();
    for (int i = 1; i <= n; i++) {
      numbers = numbers.next();
      assertEquals(i, numbers.last());
      assertTrue(formatted.add(numbers.format()), "each number once");
    }
    assertEquals(n, numbers.last());
  }

  @Property
  void theFormattedNumberReadsBackAsTheNumber(
      @ForAll @AlphaChars @StringLength(min = 1, max = 5) String prefix,
      @ForAll @LongRange(max = Long.MAX_VALUE) long last) {
    String formatted = new InvoiceNumbers(prefix, last).format();
    assertTrue(formatted.startsWith(prefix + "-"));
    String digits = formatted.substring(prefix.length() + 1);
    assertTrue(digits.length() >= 6 && digits.chars().allMatch(c -> c >= '0' && c <= '9'), digits);
    assertEquals(last, Long.parseLong(digits));
  }
}
