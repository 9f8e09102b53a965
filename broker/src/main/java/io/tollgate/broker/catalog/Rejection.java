package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Refusal;

/** Why a change to the catalog was refused: an error code of the public contract and a message. */
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
