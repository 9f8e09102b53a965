package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.billing.PlanTermsProto;
import io.tollgate.broker.ApiException;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.billing.AccountBilling;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** An account's usage and its upcoming invoice: the current period as it stands. */
public final class BillingApi {
  private final CatalogView view;
  private final ClusterSharding sharding;
  private final PeriodScheme periods;
  private final Clock clock;
  private final Duration timeout;

  public BillingApi(CatalogView view, ClusterSharding sharding, PeriodScheme periods, Clock clock, Duration timeout) {
    this.view = view;
    this.sharding = sharding;
    this.periods = periods;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** Every usage journal read to its end first, so the answer includes every acknowledged event. */
  private CompletionStage<AccountBilling.UsageReport> currentUsage(Principal principal, String accountId) {
    view.catalog().account(accountId)
        .filter(account -> principal.isOperator()
            || principal instanceof Principal.AccountKey key && key.accountId().equals(account.id()))
        .orElseThrow(() -> ApiException.notFound("account_not_found", "account " + accountId + " does not exist"));
    EntityRef<AccountBilling.Command> billing = sharding.entityRefFor(AccountBilling.ENTITY_KEY, accountId);
    return billing.<Done>ask(replyTo -> new AccountBilling.CatchUp("", replyTo), timeout)
        .thenCompose(caughtUp -> billing.ask(AccountBilling.GetUsage::new, timeout));
  }

  CompletionStage<HttpResponse> usage(Principal principal, String accountId) {
    return currentUsage(principal, accountId).thenApply(report -> {
      ObjectNode body = JsonBody.MAPPER.createObjectNode().put("account", accountId);
      ArrayNode data = body.putArray("data");
      report.byPeriod().forEach((period, bySubscription) -> bySubscription.entrySet().stream()
          .sorted(java.util.Map.Entry.comparingByKey())
          .forEach(entry -> data.addObject().put("period", period).put("subscription", entry.getKey())
              .put("events", entry.getValue())));
      return Responses.json(200, body);
    });
  }

  CompletionStage<HttpResponse> upcomingInvoice(Principal principal, String accountId) {
    return currentUsage(principal, accountId).thenApply(report -> {
      Period period = periods.periodOf(clock.instant());
      Catalog catalog = view.catalog();
      List<InvoiceDraft.Usage> usages = new ArrayList<>();
      catalog.subscriptions().stream()
          .filter(subscription -> subscription.account().equals(accountId))
          .sorted(Comparator.comparing(Catalog.Subscription::createdAt))
          .forEach(subscription -> catalog.plan(subscription.plan()).ifPresent(plan -> usages.add(new InvoiceDraft.Usage(
              subscription.id(), plan.id(), PlanTermsProto.fromProto(plan.name(), plan.terms()),
              report.units(period.id(), subscription.id())))));
      return Responses.json(200, render(accountId, InvoiceDraft.of(period, usages)));
    });
  }

  private static ObjectNode render(String accountId, InvoiceDraft draft) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode()
        .put("account", accountId).put("status", "upcoming");
    body.putObject("period").put("id", draft.period().id())
        .put("start", draft.period().start().toString()).put("end", draft.period().end().toString());
    ArrayNode lines = body.putArray("lines");
    for (InvoiceDraft.Line line : draft.lines()) {
      ObjectNode node = lines.addObject()
          .put("subscription", line.subscriptionId()).put("plan", line.planId())
          .put("kind", line.kind().name().toLowerCase(java.util.Locale.ROOT));
      if (line.kind() == InvoiceDraft.LineKind.USAGE) {
        node.put("tier", line.tier());
      }
      node.put("quantity", line.quantity());
      if (line.unitPrice() != null) {
        node.put("unit_amount", line.unitPrice().toString());
      }
      node.put("amount", line.amount().toString()).put("currency", line.amount().currency().getCurrencyCode());
    }
    ArrayNode totals = body.putArray("totals");
    draft.totals().values().stream().sorted(Comparator.comparing((Money m) -> m.currency().getCurrencyCode()))
        .forEach(total -> totals.addObject().put("currency", total.currency().getCurrencyCode())
            .put("amount", total.toString()));
    return body;
  }
}
