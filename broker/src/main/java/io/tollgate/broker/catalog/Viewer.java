package io.tollgate.broker.catalog;

import java.util.Optional;

/** Who reads the catalog: the operator, or an account through any of its keys. */
public record Viewer(Optional<String> account) {
  public static final Viewer OPERATOR = new Viewer(Optional.empty());

  public static Viewer of(String account) {
    return new Viewer(Optional.of(account));
  }

  /** The operator stands for every account. */
  public boolean actsFor(String accountId) {
    return account.map(accountId::equals).orElse(true);
  }
}
