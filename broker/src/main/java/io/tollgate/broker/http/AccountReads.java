package io.tollgate.broker.http;

import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Scope;

/**
 * Who may read an account's own resources (the account, its keys, subscriptions, usage,
 * invoices, statements and wallet): the operator, and the account's keys and tokens with the
 * {@code read} scope ({@code admin} implies it). Other tenants are told the account does not
 * exist; a key limited to resources reads only what concerns them, so not the account-wide
 * documents.
 */
final class AccountReads {
  private AccountReads() {}

  /** The operator, or a caller of this account whatever its scopes: others get {@code *_not_found}. */
  static boolean isTenantOf(Principal principal, String accountId) {
    return principal.isOperator()
        || principal instanceof Principal.OfAccount caller && caller.accountId().equals(accountId);
  }

  /** A caller of the account that may read it: the read scope, or admin. */
  static boolean mayRead(Principal principal, String accountId) {
    return isTenantOf(principal, accountId) && principal.may(Scope.READ, accountId);
  }

  static void requireRead(Principal principal, String accountId) {
    if (!principal.may(Scope.READ, accountId)) {
      throw Refusal.forbidden("this key may not read account " + accountId + "; that takes the operator's key or"
          + " a key of " + accountId + " with the read scope");
    }
  }

  static boolean isLimited(Principal principal) {
    return principal instanceof Principal.OfAccount caller && !caller.resources().isEmpty();
  }

  /** For documents of the whole account, which a key limited to some topics or products may not read. */
  static void requireUnlimited(Principal principal, String what) {
    if (isLimited(principal)) {
      throw Refusal.forbidden("a key limited to resources cannot read " + what);
    }
  }
}
