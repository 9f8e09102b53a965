package io.tollgate.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AllocationProperties {
  @Property
  void partsAddUpToTheAmountExactly(@ForAll @LongRange(min = 0, max = 10_000_000) long cents,
                                    @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 100_000) Integer> weights) {
    Money amount = Money.rounded(BigDecimal.valueOf(cents, 2), Money.currency("USD"));
    List<Money> parts = Allocation.proportional(amount,
        weights.stream().map(w -> Money.rounded(BigDecimal.valueOf(w, 2), Money.currency("USD"))).toList());
    assertEquals(amount, parts.stream().reduce(Money.zero(amount.currency()), Money::plus));
    assertEquals(weights.size(), parts.size());
  }

  @Test
  void splitsInProportion() {
    Money amount = Money.of("1.00", "EUR");
    assertEquals(List.of(Money.of("0.25", "EUR"), Money.of("0.75", "EUR")),
        Allocation.proportional(amount, List.of(Money.of("2.00", "EUR"), Money.of("6.00", "EUR"))));
    assertEquals(List.of(Money.of("0.33", "EUR"), Money.of("0.33", "EUR"), Money.of("0.34", "EUR")),
        Allocation.proportional(amount, List.of(Money.of("1.00", "EUR"), Money.of("1.00", "EUR"), Money.of("1.00", "EUR"))));
  }

  @Property
  void aZeroWeightGetsNothingWhenAnotherWeightIsPositive(
      @ForAll @LongRange(min = 0, max = 10_000_000) long cents,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 100_000) Integer> weights) {
    net.jqwik.api.Assume.that(weights.stream().anyMatch(w -> w > 0));
    Money amount = Money.rounded(BigDecimal.valueOf(cents, 2), Money.currency("USD"));
    List<Money> parts = Allocation.proportional(amount,
        weights.stream().map(w -> Money.rounded(BigDecimal.valueOf(w, 2), Money.currency("USD"))).toList());
    for (int i = 0; i < weights.size(); i++) {
      if (weights.get(i) == 0) {
        assertEquals(Money.zero(amount.currency()), parts.get(i), "weight " + i + " of " + weights);
      }
    }
  }

  @Test
  void theRoundingRemainderNeverLandsOnAZeroWeight() {
    Money amount = Money.of("1.00", "EUR");
    assertEquals(List.of(Money.of("0.33", "EUR"), Money.of("0.33", "EUR"), Money.of("0.34", "EUR"), Money.zero(amount.currency())),
        Allocation.proportional(amount, List.of(Money.of("1.00", "EUR"), Money.of("1.00", "EUR"), Money.of("1.00", "EUR"),
            Money.zero(amount.currency()))));
  }
}
