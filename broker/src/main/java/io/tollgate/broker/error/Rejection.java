package io.tollgate.broker.error;

/**
 * A refusal as a value, where an entity answers one: the catalog's {@code Rejected}, a
 * partition's {@code AppendFailed}, billing's {@code Outcome}. The edge that asked throws it as a
 * {@link Refusal}.
 */
public record Rejection(String code, String message) {
  public static Rejection notFound(String what, String id) {
    return new Rejection(what + "_not_found", what + " " + id + " does not exist");
  }

  public static Rejection conflict(String what, String id) {
    return new Rejection(what + "_exists", what + " " + id + " already exists");
  }

  public Refusal toRefusal() {
    return new Refusal(code, message);
  }
}
