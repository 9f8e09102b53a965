package io.tollgate.broker.auth;

import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.catalog.Viewer;
import java.util.Set;

/** Who is calling: the operator (admin key) or an account through one of its keys. */
public sealed interface Principal {
  /** The actor recorded on catalog changes. */
  String actor();

  boolean isOperator();

  /** True when this caller may act on behalf of the account with this scope. */
  boolean may(Scope scope, String accountId);

  /** Who this caller is to the catalog's visibility rules. */
  default Viewer viewer() {
    return this instanceof AccountKey key ? Viewer.of(key.accountId()) : Viewer.OPERATOR;
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

  /** May this caller use the topic or product named {@code resource}? */
  default boolean reaches(String resource) {
    return true;
  }

  record AccountKey(String accountId, String keyId, Set<Scope> scopes, java.util.List<String> resources)
      implements Principal {
    /** A key limited to resources reaches only those: exact names, or prefixes ending in {@code *}. */
    @Override
    public boolean reaches(String resource) {
      return resources.isEmpty() || resources.stream().anyMatch(pattern -> pattern.endsWith("*")
          ? resource.startsWith(pattern.substring(0, pattern.length() - 1)) : resource.equals(pattern));
    }

    @Override
    public String actor() {
      return accountId;
    }

    @Override
    public boolean isOperator() {
      return false;
    }

    @Override
    public boolean may(Scope scope, String onAccount) {
      return accountId.equals(onAccount) && (scopes.contains(scope) || scopes.contains(Scope.ADMIN));
    }
  }
}
