package io.tollgate.broker.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.billing.BillingException;
import io.tollgate.billing.CsvExport;
import io.tollgate.billing.InvoiceDraft;
import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.invoicing.InvoiceIssuer;
import io.tollgate.broker.invoicing.InvoiceJson;
import io.tollgate.broker.invoicing.Invoicing;
import io.tollgate.broker.invoicing.StatementPeriods;
import io.tollgate.broker.invoicing.StoredMoney;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
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
  private final RequestRules requests;
  private final InvoiceIssuer issuer;

  public BillingApi(CatalogView view, ClusterSharding sharding, PeriodScheme periods, Clock clock, Duration timeout,
                    RequestRules requests, InvoiceIssuer issuer) {
    this.requests = requests;
    this.issuer = issuer;
    this.view = view;
    this.sharding = sharding;
    this.periods = periods;
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * The account's billing, when the caller may read it (AccountReads); other tenants' accounts
   * do not exist for them.
   */
  private EntityRef<AccountBilling.Command> billingOf(Principal principal, String accountId) {
    view.catalog().account(accountId)
        .filter(account -> AccountReads.isTenantOf(principal, account.id()))
        .orElseThrow(() -> new Refusal("account_not_found", "account " + accountId + " does not exist"));
    AccountReads.requireRead(principal, accountId);
    return sharding.entityRefFor(AccountBilling.ENTITY_KEY, accountId);
  }

  /** Every usage journal read to its end first, so the answer includes every acknowledged event. */
  private CompletionStage<AccountBilling.UsageReport> currentUsage(Principal principal, String accountId) {
    return AccountBilling.usage(billingOf(principal, accountId), "", timeout);
  }

  /** Usage per subscription and published traffic per topic; a key limited to resources sees theirs only. */
  CompletionStage<HttpResponse> usage(Principal principal, String accountId) {
    return currentUsage(principal, accountId).thenApply(report -> {
      ObjectNode body = JsonBody.MAPPER.createObjectNode().put("account", accountId);
      ArrayNode data = body.putArray("data");
      Catalog catalog = view.catalog();
      report.byPeriod().forEach((period, bySubscription) -> bySubscription.keySet().stream().sorted()
          .filter(subscription -> catalog.subscription(subscription)
              .map(s -> principal.reaches(s.product())).orElse(!AccountReads.isLimited(principal)))
          .forEach(subscription -> data.addObject().put("period", period).put("subscription", subscription)
              .put("events", report.used(period, subscription).units())
              .put("bytes", report.used(period, subscription).bytes())));
      ArrayNode published = body.putArray("published");
      report.published().forEach((period, byTopic) -> byTopic.forEach((topic, totals) -> {
        if (principal.reaches(topic)) {
          published.addObject().put("period", period).put("topic", topic).put("events", totals.events())
              .put("bytes", totals.bytes());
        }
      }));
      return Responses.json(200, body);
    });
  }

  CompletionStage<HttpResponse> upcomingInvoice(Principal principal, String accountId) {
    AccountReads.requireUnlimited(principal, "the account's invoices");
    return currentUsage(principal, accountId).thenApply(report -> {
      Period period = periods.periodOf(clock.instant());
      Catalog catalog = view.catalog();
      return Responses.json(200, render(accountId, Invoicing.draft(catalog, period, catalog.subscriptionsOf(accountId), report)));
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
      if (line.kind() == InvoiceDraft.LineKind.USAGE || line.kind() == InvoiceDraft.LineKind.BYTES) {
        node.put("tier", line.tier());
      }
      node.put("quantity", line.quantity());
      if (line.unitPrice() != null) {
        node.put("unit_amount", line.unitPrice().toString());
      }
      node.put("amount", line.amount().toString()).put("currency", line.amount().currency().getCurrencyCode());
      if (line.from() != null) {
        node.putObject("period").put("start", line.from().toString()).put("end", line.to().toString());
      }
    }
    ArrayNode totals = body.putArray("totals");
    draft.totals().values().stream().sorted(Comparator.comparing((Money m) -> m.currency().getCurrencyCode()))
        .forEach(total -> totals.addObject().put("currency", total.currency().getCurrencyCode())
            .put("amount", total.toString()));
    return body;
  }

  // ---- invoices, statements, wallet -------------------------------------------------------

  /** Invoices, statements and the wallet: documents of the whole account. */
  private CompletionStage<AccountBilling.Ledger> ledger(Principal principal, String accountId) {
    AccountReads.requireUnlimited(principal, "the account's invoices, statements or wallet");
    return billingOf(principal, accountId).ask(AccountBilling.GetLedger::new, timeout);
  }

  CompletionStage<HttpResponse> invoices(Principal principal, String accountId, boolean csv) {
    return ledger(principal, accountId).thenApply(ledger -> {
      if (csv) {
        List<CsvExport.InvoiceRow> rows = new ArrayList<>();
        for (AccountBilling.Invoice invoice : ledger.invoices()) {
          InvoiceFinalized finalized = invoice.finalized();
          for (InvoiceLine line : finalized.getLinesList()) {
            rows.add(new CsvExport.InvoiceRow(finalized.getId(), finalized.getNumber(), finalized.getAccount(),
                finalized.getPeriod(), invoice.status(), line.getSubscription(), line.getPlan(), line.getKind(),
                line.getTier(), line.getQuantity(), line.getUnitAmount(), StoredMoney.of(line.getAmount(), finalized.getCurrency()),
                line.getToMillis() == 0 ? null : Instant.ofEpochMilli(line.getFromMillis()),
                line.getToMillis() == 0 ? null : Instant.ofEpochMilli(line.getToMillis())));
          }
        }
        return Responses.csv(CsvExport.invoiceLines(rows));
      }
      ObjectNode body = JsonBody.MAPPER.createObjectNode();
      ArrayNode data = body.putArray("data");
      ledger.invoices().forEach(invoice -> data.add(presented(invoice)));
      return Responses.json(200, body);
    });
  }

  CompletionStage<HttpResponse> invoice(Principal principal, String invoiceId) {
    String accountId = AccountBilling.accountOfInvoice(invoiceId).orElseThrow(this::invoiceNotFound);
    return ledger(principal, accountId).thenApply(ledger -> ledger.invoices().stream()
        .filter(invoice -> invoice.finalized().getId().equals(invoiceId)).findFirst()
        .map(invoice -> Responses.json(200, presented(invoice)))
        .orElseThrow(this::invoiceNotFound));
  }

  /** Recording a payment or voiding is the operator's: it stands for the payment processor. */
  CompletionStage<HttpResponse> changeStatus(Principal principal, String invoiceId, String status) {
    if (!principal.isOperator()) {
      throw Refusal.forbidden("only the operator's admin key may mark invoices " + status);
    }
    String accountId = AccountBilling.accountOfInvoice(invoiceId).orElseThrow(this::invoiceNotFound);
    return billingOf(principal, accountId)
        .<AccountBilling.Outcome>ask(replyTo -> new AccountBilling.ChangeInvoiceStatus(invoiceId, status, principal.actor(), replyTo), timeout)
        .thenCompose(outcome -> {
          if (!outcome.ok()) {
            throw outcome.rejection().toRefusal();
          }
          return invoice(principal, invoiceId);
        });
  }

  /** Corrections are credit notes, never edits: credited to the wallet, taken back from producers. */
  CompletionStage<HttpResponse> creditNote(Principal principal, String invoiceId, byte[] body) {
    if (!principal.isOperator()) {
      throw Refusal.forbidden("only the operator's admin key may issue credit notes");
    }
    JsonBody request = JsonBody.parse(requests, body, java.util.Set.of("amount", "reason", "idempotency_key"));
    String accountId = AccountBilling.accountOfInvoice(invoiceId).orElseThrow(this::invoiceNotFound);
    String amount = request.requiredString("amount");
    String reason = request.optionalString("reason").orElse("");
    String key = request.requiredString("idempotency_key");
    return billingOf(principal, accountId)
        .<AccountBilling.Outcome>ask(replyTo -> new AccountBilling.IssueCreditNote(invoiceId, amount, reason, key, principal.actor(), replyTo),
            timeout)
        .thenCompose(outcome -> {
          if (!outcome.ok()) {
            throw outcome.rejection().toRefusal();
          }
          return invoice(principal, invoiceId).thenApply(response -> response.withStatus(201));
        });
  }

  /**
   * An invoice as its customer needs it: the stored document, with who issued it and to whom,
   * when it was issued and is due, and the name of each line's plan, as the catalog has them now.
   */
  private ObjectNode presented(AccountBilling.Invoice invoice) {
    ObjectNode body = InvoiceJson.of(invoice);
    Catalog catalog = view.catalog();
    InvoiceFinalized finalized = invoice.finalized();
    Instant issued = Instant.ofEpochMilli(finalized.getFinalizedAtMillis());
    body.put("issued_at", issued.toString()).put("due_at", issued.plus(issuer.paymentTerms()).toString());
    ObjectNode from = body.putObject("issuer").put("name", issuer.name());
    if (!issuer.address().isEmpty()) {
      from.put("address", issuer.address());
    }
    if (!issuer.taxId().isEmpty()) {
      from.put("tax_id", issuer.taxId());
    }
    body.putObject("customer").put("id", finalized.getAccount())
        .put("name", catalog.account(finalized.getAccount()).map(Catalog.Account::name).orElse(""));
    body.get("lines").forEach(line -> ((ObjectNode) line).put("plan_name",
        catalog.plan(line.get("plan").asText()).map(Catalog.Plan::name).orElse("")));
    return body;
  }

  private Refusal invoiceNotFound() {
    return new Refusal("invoice_not_found", "no such invoice");
  }

  CompletionStage<HttpResponse> statements(Principal principal, String accountId, boolean csv) {
    return ledger(principal, accountId).thenApply(ledger -> {
      if (csv) {
        return Responses.csv(CsvExport.statementLines(ledger.credits().stream().map(credit -> new CsvExport.StatementRow(
            accountId, StatementPeriods.periodOf(credit, periods), credit.getInvoice(), credit.getConsumer(),
            credit.getSubscription(),
            StoredMoney.of(credit.getCharge(), credit.getCurrency()), StoredMoney.of(credit.getProducerShare(), credit.getCurrency()),
            StoredMoney.of(credit.getPlatformFee(), credit.getCurrency()))).toList()));
      }
      java.util.Map<String, java.util.Map<String, List<RevenueCredited>>> byPeriodAndCurrency = new java.util.TreeMap<>();
      ledger.credits().forEach(credit -> byPeriodAndCurrency
          .computeIfAbsent(StatementPeriods.periodOf(credit, periods), p -> new java.util.TreeMap<>())
          .computeIfAbsent(credit.getCurrency(), c -> new ArrayList<>()).add(credit));
      ObjectNode body = JsonBody.MAPPER.createObjectNode().put("account", accountId);
      ArrayNode data = body.putArray("data");
      byPeriodAndCurrency.forEach((period, byCurrency) -> byCurrency.forEach((currency, credits) -> {
        ObjectNode statement = data.addObject().put("period", period).put("currency", currency);
        Money charges = Money.zero(java.util.Currency.getInstance(currency));
        Money share = charges;
        Money fees = charges;
        ArrayNode lines = statement.putArray("lines");
        for (RevenueCredited credit : credits) {
          Money charge = StoredMoney.of(credit.getCharge(), currency);
          Money producerShare = StoredMoney.of(credit.getProducerShare(), currency);
          Money fee = StoredMoney.of(credit.getPlatformFee(), currency);
          charges = charges.plus(charge);
          share = share.plus(producerShare);
          fees = fees.plus(fee);
          ObjectNode line = lines.addObject().put("invoice", credit.getInvoice()).put("consumer", credit.getConsumer())
              .put("subscription", credit.getSubscription()).put("charge", charge.toString())
              .put("producer_share", producerShare.toString()).put("platform_fee", fee.toString());
          if (StatementPeriods.isAdjustment(credit)) {
            line.put("kind", "adjustment").put("invoice_period", credit.getPeriod());
          } else {
            line.put("kind", "share");
          }
        }
        statement.put("charges", charges.toString()).put("producer_share", share.toString())
            .put("platform_fees", fees.toString());
      }));
      return Responses.json(200, body);
    });
  }

  CompletionStage<HttpResponse> wallet(Principal principal, String accountId) {
    return ledger(principal, accountId).thenApply(ledger -> Responses.json(200, renderWallet(accountId, ledger)));
  }

  /**
   * A top-up records money received, so it is the operator's (standing for the payment
   * processor); it is idempotent by its key: a retry credits once and answers like the first.
   */
  CompletionStage<HttpResponse> topUp(Principal principal, String accountId, byte[] body) {
    EntityRef<AccountBilling.Command> billing = billingOf(principal, accountId);
    if (!principal.isOperator()) {
      throw Refusal.forbidden("only the operator's admin key may top up wallets");
    }
    JsonBody request = JsonBody.parse(requests, body, java.util.Set.of("amount", "currency", "idempotency_key"));
    String key = request.requiredString("idempotency_key");
    Money amount;
    try {
      amount = Money.of(request.requiredString("amount"), request.requiredString("currency"));
    } catch (BillingException e) {
      throw new Refusal(BillingException.INVALID_AMOUNT, e.getMessage());
    }
    if (amount.signum() <= 0) {
      throw new Refusal(BillingException.INVALID_AMOUNT, "a top-up must be more than zero");
    }
    return billing.<AccountBilling.Outcome>ask(replyTo -> new AccountBilling.TopUp(key, amount, principal.actor(), replyTo),
            timeout)
        .thenCompose(outcome -> {
          if (!outcome.ok()) {
            throw outcome.rejection().toRefusal();
          }
          return ledger(principal, accountId);
        })
        .thenApply(ledger -> Responses.json(201, renderWallet(accountId, ledger)));
  }

  private static ObjectNode renderWallet(String accountId, AccountBilling.Ledger ledger) {
    ObjectNode body = JsonBody.MAPPER.createObjectNode().put("account", accountId);
    ArrayNode balances = body.putArray("balances");
    ledger.wallet().forEach((currency, amount) ->
        balances.addObject().put("currency", currency.getCurrencyCode()).put("amount", amount.toString()));
    return body;
  }
}
