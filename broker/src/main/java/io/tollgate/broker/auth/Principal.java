package io.tollgate.broker.auth;

import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.catalog.Viewer;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Who is calling: the operator (admin key), or an account through one of its keys or a bearer token. */
public sealed interface Principal {
  /** The actor recorded on catalog changes. */
  String actor();

  boolean isOperator();

  /** True when this caller may act on behalf of the account with this scope. */
  boolean may(Scope scope, String accountId);

  /** Who this caller is to the catalog's visibility rules. */
  default Viewer viewer() {
    return this instanceof OfAccount account ? Viewer.of(account.accountId()) : Viewer.OPERATOR;
  }

  /** May this caller use the topic or product named {@code resource}? */
  default boolean reaches(String resource) {
    return true;
  }

  record Operator() implements Principal {
    @Override
    public String actor() {
      return "admin";
    }

    @Override
    public boolean isOperator() {
      return true;
    }

    @Override
    public boolean may(Scope scope, String accountId) {
      return true;
    }
  }

  /**
   * A caller acting for one account, with scopes and optionally limited to resources. API keys
   * and bearer tokens follow the same rules, so every check holds for both alike.
   */
  sealed interface OfAccount extends Principal {
    String accountId();

    Set<Scope> scopes();

    /** Topic names and product ids it is limited to; empty: no limit. */
    List<String> resources();

    /** Limited to resources, it reaches only those: exact names, or prefixes ending in {@code *}. */
    @Override
    default boolean reaches(String resource) {
      return resources().isEmpty() || resources().stream().anyMatch(pattern -> pattern.endsWith("*")
          ? resource.startsWith(pattern.substring(0, pattern.length() - 1)) : resource.equals(pattern));
    }

    @Override
    default String actor() {
      return accountId();
    }

    @Override
    default boolean isOperator() {
      return false;
    }

    @Override
    default boolean may(Scope scope, String onAccount) {
      return accountId().equals(onAccount) && (scopes().contains(scope) || scopes().contains(Scope.ADMIN));
    }
  }

  record AccountKey(String accountId, String keyId, Set<Scope> scopes, List<String> resources) implements OfAccount {}

  /**
   * A verified JWT bearer token naming an account. {@code validUntil} is its {@code exp} plus the
   * allowed clock skew: after it the broker refuses the token, and a stream opened with it closes.
   */
  record Token(String accountId, Set<Scope> scopes, List<String> resources, Instant validUntil)
      implements OfAccount {}
}
