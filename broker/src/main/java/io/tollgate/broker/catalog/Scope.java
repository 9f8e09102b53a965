package io.tollgate.broker.catalog;

import java.util.Locale;
import java.util.Optional;

/** What an API key may do. {@code ADMIN} on an account key manages that account's resources. */
public enum Scope {
  ADMIN, PUBLISH, SUBSCRIBE, READ;

  public static Optional<Scope> parse(String text) {
    for (Scope scope : values()) {
      if (scope.wireName().equals(text)) {
        return Optional.of(scope);
      }
    }
    return Optional.empty();
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
