package io.tollgate.broker.invoicing.verification;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One issuer's sequence over every document it numbered, across all accounts: each number once,
 * none missing from 1 to the highest. Only a verification of all accounts can see a gap, since
 * an account's documents are interleaved with everyone else's.
 */
final class NumberingCheck {
  private static final Pattern NUMBER = Pattern.compile("([A-Z]+)-(\\d{6,})");

  private NumberingCheck() {}

  /** {@code documents}: document id to the number it carries, all of issuer {@code prefix}. */
  static void check(String prefix, Map<String, String> documents, List<Difference> differences) {
    TreeMap<Long, String> byNumber = new TreeMap<>();
    documents.forEach((document, number) -> {
      Matcher matcher = NUMBER.matcher(number);
      if (!matcher.matches() || !matcher.group(1).equals(prefix)) {
        differences.add(new Difference(document, "", "number", prefix + "-nnnnnn", number));
        return;
      }
      String earlier = byNumber.putIfAbsent(Long.parseLong(matcher.group(2)), document);
      if (earlier != null) {
        differences.add(new Difference(number, "", "document", "one document", earlier + " and " + document));
      }
    });
    long next = 1;
    for (long number : byNumber.keySet()) {
      for (; next < number; next++) {
        differences.add(new Difference(String.format("%s-%06d", prefix, next), "", "document", "a numbered document",
            Difference.NONE));
      }
      next = number + 1;
    }
  }
}
