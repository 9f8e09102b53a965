package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.billing.BillingException;
import io.tollgate.billing.Money;
import io.tollgate.broker.auth.Ids;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.invoicing.AlertJson;
import io.tollgate.broker.invoicing.NewAlert;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * An account's usage alerts: thresholds on units or money, each of which puts a
 * {@code tollgate.usage.threshold_crossed} event on the platform's invoices topic once per period
 * it is crossed in (docs/billing.md, "Usage alerts"). They are documents of the whole account, in
 * its billing: its tenant reads them with the read scope and sets them with the subscribe scope;
 * a key limited to resources does neither. Other tenants are told the account does not exist.
 */
public final class AlertsApi {
  private final CatalogView view;
  private final ClusterSharding sharding;
  private final RequestRules requests;
  private final Clock clock;
  private final Duration timeout;

  public AlertsApi(CatalogView view, ClusterSharding sharding, RequestRules requests, Clock clock, Duration timeout) {
    this.view = view;
    this.sharding = sharding;
    this.requests = requests;
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * {@code {"metric": "units", "threshold": 1000}} or {@code {"metric": "money", "threshold":
   * "25.00", "currency": "USD"}}, with an optional {@code "name"} and {@code "subscription"} (else
   * the whole account). The account's usage is read to its end first, so an alert that usage is
   * past already fires at once.
   */
  CompletionStage<HttpResponse> create(Principal principal, String accountId, byte[] body) {
    EntityRef<AccountBilling.Command> billing = billingOf(principal, accountId);
    AdminApi.requireScope(principal, Scope.SUBSCRIBE, accountId, "set the usage alerts of " + accountId);
    requireUnlimited(principal);
    JsonBody request = JsonBody.parse(requests, body, Set.of("name", "metric", "threshold", "currency", "subscription"));
    String name = request.optionalString("name", FieldLengths.Kind.NAME).orElse("");
    String subscription = request.optionalString("subscription", FieldLengths.Kind.ID).map(id ->
        view.catalog().subscription(id).filter(s -> s.account().equals(accountId))
            .orElseThrow(() -> AdminApi.notFound("subscription", id)).id()).orElse("");
    String metric = request.requiredString("metric", FieldLengths.Kind.TEXT);
    if (!request.has("threshold")) {
      throw new Refusal("missing_field", "\"threshold\" is required");
    }
    JsonNode threshold = request.json().get("threshold");
    NewAlert.Threshold crossing = switch (metric) {
      case "units" -> {
        if (request.has("currency")) {
          throw request.invalid("currency", "is for a money threshold only");
        }
        yield new NewAlert.Units(units(request, threshold));
      }
      case "money" -> {
        String currency = request.requiredString("currency", FieldLengths.Kind.TEXT);
        if (!threshold.isTextual()) {
          throw invalidThreshold("a money threshold is a decimal string such as \"25.00\", not a JSON number");
        }
        Money amount;
        try {
          amount = Money.of(request.checkedLength("threshold", threshold.textValue(), FieldLengths.Kind.TEXT), currency);
        } catch (BillingException e) {
          throw invalidThreshold(e.getMessage());
        }
        if (amount.signum() <= 0) {
          throw invalidThreshold("a money threshold is more than zero");
        }
        yield new NewAlert.Charge(amount);
      }
      default -> throw new Refusal("invalid_alert_metric", "\"metric\" is \"units\" (events acknowledged) or"
          + " \"money\" (the period's running charge), not \"" + metric + "\"");
    };
    NewAlert created = new NewAlert(Ids.next("alrt"), name, subscription, crossing, clock.instant(), principal.actor());
    return billing.<Done>ask(replyTo -> AccountBilling.CatchUp.all(replyTo), timeout)
        .thenCompose(caughtUp -> billing.<AccountBilling.Outcome>ask(
            replyTo -> new AccountBilling.CreateAlert(created, replyTo), timeout))
        .thenCompose(outcome -> {
          if (!outcome.ok()) {
            throw outcome.rejection().toRefusal();
          }
          return alerts(billing);
        })
        .thenApply(alerts -> Responses.json(201, render(accountId, alerts, created.id())));
  }

  /** Oldest first, a page at a time ({@link Paging}). */
  CompletionStage<HttpResponse> list(Principal principal, String accountId, Paging.PageRequest page) {
    EntityRef<AccountBilling.Command> billing = readable(principal, accountId);
    return alerts(billing).thenApply(alerts -> Responses.json(200, Paging.page(alerts.alerts().stream(),
        alert -> Paging.created(Instant.ofEpochMilli(alert.getCreatedAtMillis()), alert.getId()),
        alert -> AlertJson.of(accountId, alert, alerts.crossings()), page)));
  }

  CompletionStage<HttpResponse> get(Principal principal, String accountId, String alertId) {
    EntityRef<AccountBilling.Command> billing = readable(principal, accountId);
    return alerts(billing).thenApply(alerts -> Responses.json(200, render(accountId, alerts, alertId)));
  }

  CompletionStage<HttpResponse> delete(Principal principal, String accountId, String alertId) {
    EntityRef<AccountBilling.Command> billing = billingOf(principal, accountId);
    AdminApi.requireScope(principal, Scope.SUBSCRIBE, accountId, "delete the usage alerts of " + accountId);
    requireUnlimited(principal);
    return billing.<AccountBilling.Outcome>ask(replyTo -> new AccountBilling.DeleteAlert(alertId, replyTo), timeout)
        .thenApply(outcome -> {
          if (!outcome.ok()) {
            throw outcome.rejection().toRefusal();
          }
          return HttpResponse.create().withStatus(204);
        });
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode render(String accountId, AccountBilling.Alerts alerts,
                                                                       String alertId) {
    return alerts.alerts().stream().filter(alert -> alert.getId().equals(alertId)).findFirst()
        .map(alert -> AlertJson.of(accountId, alert, alerts.crossings()))
        .orElseThrow(() -> new Refusal("alert_not_found", "alert " + alertId + " does not exist"));
  }

  private CompletionStage<AccountBilling.Alerts> alerts(EntityRef<AccountBilling.Command> billing) {
    return billing.ask(AccountBilling.GetAlerts::new, timeout);
  }

  private EntityRef<AccountBilling.Command> readable(Principal principal, String accountId) {
    EntityRef<AccountBilling.Command> billing = billingOf(principal, accountId);
    AccountReads.requireRead(principal, accountId);
    requireUnlimited(principal);
    return billing;
  }

  /** The account's billing, when the caller is its tenant or the operator; others are told it does not exist. */
  private EntityRef<AccountBilling.Command> billingOf(Principal principal, String accountId) {
    view.catalog().account(accountId).filter(account -> AccountReads.isTenantOf(principal, account.id()))
        .orElseThrow(() -> AdminApi.notFound("account", accountId));
    return sharding.entityRefFor(AccountBilling.ENTITY_KEY, accountId);
  }

  private static void requireUnlimited(Principal principal) {
    if (AccountReads.isLimited(principal)) {
      throw Refusal.forbidden("a key limited to resources cannot read or set the account's usage alerts");
    }
  }

  /** A whole number of events from 1: a JSON integer, or its digits as a string (as the CLI sends every option). */
  private static long units(JsonBody request, JsonNode threshold) {
    long units = 0;
    if (threshold.isIntegralNumber() && threshold.canConvertToLong()) {
      units = threshold.longValue();
    } else if (threshold.isTextual()) {
      String digits = request.checkedLength("threshold", threshold.textValue(), FieldLengths.Kind.TEXT);
      units = digits.matches("[0-9]{1,18}") ? Long.parseLong(digits) : 0;
    }
    if (units < 1) {
      throw invalidThreshold("a units threshold is a whole number of events from 1, such as 1000");
    }
    return units;
  }

  private static Refusal invalidThreshold(String message) {
    return new Refusal("invalid_threshold", "\"threshold\": " + message);
  }
}
