package io.tollgate.broker.analytics;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What analytics are grouped by: each fact counts once under every dimension it belongs to. */
public enum Dimension {
  TOPICS, PRODUCTS, PLANS, ACCOUNTS, SUBSCRIPTIONS;

  /** The name in the API's path and in the journal. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Dimension> fromWire(String name) {
    return Arrays.stream(values()).filter(d -> d.wireName().equals(name)).findFirst();
  }
}
