package io.tollgate.broker.error;

/**
 * The longest string the broker takes from outside, by what the string is
 * ({@code tollgate.limits.max-*-length}). Checked where a request is parsed, so nothing longer
 * reaches the catalog, the journal or another tenant's listing; a longer one is refused with
 * {@code field_too_long}, naming the field and its limit. Lengths count UTF-16 units, which is
 * what the string costs in memory.
 */
public record FieldLengths(int id, int name, int description, int text, int filter) {
  /** What a string is, each with its own limit. */
  public enum Kind {
    /** Identifiers, given in paths or bodies: accounts, keys, domains, topics, products, plans, subscriptions, key resources. */
    ID("max-id-length"),
    /** Names people read: of accounts, products and plans. */
    NAME("max-name-length"),
    DESCRIPTION("max-description-length"),
    /** Any other string of a request: plan terms (currency, amounts, redaction pointers), reasons, instants. */
    TEXT("max-text-length"),
    /** A subscription's filter, as its JSON text. */
    FILTER("max-filter-length");

    private final String key;

    Kind(String key) {
      this.key = key;
    }
  }

  public int of(Kind kind) {
    return switch (kind) {
      case ID -> id;
      case NAME -> name;
      case DESCRIPTION -> description;
      case TEXT -> text;
      case FILTER -> filter;
    };
  }

  /** {@code value}, if it is at most {@code kind}'s limit long; {@code field} names it in the refusal. */
  public String checked(String field, String value, Kind kind) {
    int limit = of(kind);
    if (value.length() > limit) {
      throw tooLong(field, value.length(), limit, "tollgate.limits." + kind.key);
    }
    return value;
  }

  /** The refusal of a string {@code length} long where at most {@code limit} is allowed by {@code key}. */
  public static Refusal tooLong(String field, int length, int limit, String key) {
    return new Refusal("field_too_long", field + " is " + length + " characters long; the longest allowed is " + limit
        + " (" + key + ")");
  }
}
