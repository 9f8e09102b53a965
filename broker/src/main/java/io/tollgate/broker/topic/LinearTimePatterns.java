package io.tollgate.broker.topic;

import com.google.re2j.Pattern;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * Schemas' regular expressions ({@code pattern}, {@code patternProperties}, {@code format: regex})
 * run by RE2/J, whose matching time is linear in the input. The JDK's engine backtracks: a tenant's
 * {@code "pattern":"^(a+)+$"} against 30 {@code a}s and a {@code !} takes it minutes on each event.
 * RE2 has no backreferences and no lookaround; a schema that uses them cannot be compiled and is
 * refused when given ({@code invalid_schema}).
 */
final class LinearTimePatterns implements RegularExpressionFactory {
  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return value -> pattern.matcher(value).find();
  }
}
