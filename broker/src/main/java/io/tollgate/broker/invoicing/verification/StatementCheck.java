package io.tollgate.broker.invoicing.verification;

import io.tollgate.broker.invoicing.StoredMoney;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * One producer's statements: the revenue credits its billing journal recorded against those its
 * consumers' documents owe it, credit by credit (charge, producer share, platform fee, period).
 * A statement is the credits of one period and currency, so credits that match make statements
 * that match. A credit not recorded yet whose delivery the consumer has not confirmed is pending
 * (it is re-sent until confirmed), not a difference.
 */
final class StatementCheck {
  private StatementCheck() {}

  /** Statements and recorded credits checked, and credits owed that are still on their way. */
  record Outcome(int statements, int credits, int pending) {
    Outcome plus(Outcome other) {
      return new Outcome(statements + other.statements, credits + other.credits, pending + other.pending);
    }
  }

  static Outcome check(String producer, List<RevenueCredited> recorded, List<ExpectedCredits.Credit> owed,
                       Predicate<String> deliveryConfirmed, List<Difference> differences) {
    Map<String, RevenueCredited> found = new LinkedHashMap<>();
    Set<String> statements = new TreeSet<>();
    for (RevenueCredited credit : recorded) {
      String key = credit.getInvoice() + "|" + credit.getSubscription();
      statements.add(statement(producer, credit.getPeriod(), credit.getCurrency()));
      if (found.putIfAbsent(key, credit) != null) {
        differences.add(new Difference(statement(producer, credit.getPeriod(), credit.getCurrency()), line(credit),
            "recorded", "once", "twice"));
      }
    }
    int pending = 0;
    Set<String> expectedKeys = new TreeSet<>();
    for (ExpectedCredits.Credit credit : owed) {
      expectedKeys.add(credit.key());
      String document = statement(producer, credit.period(), credit.charge().currency().getCurrencyCode());
      statements.add(document);
      RevenueCredited actual = found.get(credit.key());
      if (actual == null) {
        if (deliveryConfirmed.test(credit.creditKey())) {
          differences.add(new Difference(document, credit.creditKey() + " " + credit.subscription(), "charge",
              credit.charge().toString(), Difference.NONE));
        } else {
          pending++;
        }
        continue;
      }
      String line = line(actual);
      String currency = credit.charge().currency().getCurrencyCode();
      compare(differences, document, line, "currency", currency, actual.getCurrency());
      compare(differences, document, line, "period", credit.period(), actual.getPeriod());
      compare(differences, document, line, "consumer", credit.consumer(), actual.getConsumer());
      compare(differences, document, line, "charge", credit.charge().toString(), money(actual.getCharge(), currency));
      compare(differences, document, line, "producer_share", credit.producerShare().toString(),
          money(actual.getProducerShare(), currency));
      compare(differences, document, line, "platform_fee", credit.platformFee().toString(),
          money(actual.getPlatformFee(), currency));
    }
    found.forEach((key, credit) -> {
      if (!expectedKeys.contains(key)) {
        differences.add(new Difference(statement(producer, credit.getPeriod(), credit.getCurrency()), line(credit),
            "charge", Difference.NONE, credit.getCharge()));
      }
    });
    return new Outcome(statements.size(), found.size(), pending);
  }

  static String statement(String producer, String period, String currency) {
    return "statement " + producer + " " + period + " " + currency;
  }

  private static String line(RevenueCredited credit) {
    return credit.getInvoice() + " " + credit.getSubscription();
  }

  private static String money(String amount, String currency) {
    return StoredMoney.of(amount, currency).toString();
  }

  private static void compare(List<Difference> differences, String document, String line, String field, String expected,
                              String found) {
    if (!expected.equals(found)) {
      differences.add(new Difference(document, line, field, expected, found));
    }
  }
}
