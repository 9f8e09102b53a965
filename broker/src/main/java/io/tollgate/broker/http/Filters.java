package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.filter.EventFilter;
import io.tollgate.protocols.filter.FilterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/** Filters as the API takes them: checked once when given, stored as their JSON text. */
final class Filters {
  private Filters() {}

  /** The filter's JSON text, after checking it parses and uses no variables but {@code allowedVariables}. */
  static String validated(JsonNode filter, Set<String> allowedVariables) {
    EventFilter parsed;
    try {
      parsed = EventFilter.parse(filter);
    } catch (FilterException e) {
      throw new Refusal(e.code(), e.getMessage());
    }
    for (String variable : parsed.variables()) {
      if (!allowedVariables.contains(variable)) {
        throw new Refusal("invalid_filter", "the filter uses ${" + variable + "}; "
            + (allowedVariables.isEmpty() ? "a subscription's filter takes no variables" : "allowed: " + allowedVariables));
      }
    }
    return filter.toString();
  }

  static JsonNode json(String text) {
    try {
      return JsonBody.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
