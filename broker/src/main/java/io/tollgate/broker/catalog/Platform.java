package io.tollgate.broker.catalog;

import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * What the platform itself publishes: the {@code tollgate.invoices} topic, where every
 * finalized invoice appears as a {@code tollgate.invoice.finalized} event (then its payment,
 * void and credit notes) and every usage alert's crossing as a
 * {@code tollgate.usage.threshold_crossed} event, and the
 * {@code tollgate.webhooks} topic, where webhook endpoints' circuits and disablings are announced.
 * Accounts subscribe to their products like to any other; the free plans' filters let each see
 * only its own.
 */
public final class Platform {
  public static final String ACCOUNT = "acc_tollgate";
  /** The actor the audit log names for what the platform itself does (its catalog entries, wallet-paid invoices). */
  public static final String ACTOR = "tollgate";
  public static final String DOMAIN = "tollgate";
  public static final String INVOICES_TOPIC = "tollgate.invoices";
  public static final String INVOICES_PRODUCT = "prod_tollgate_invoices";
  public static final String INVOICES_PLAN = "plan_tollgate_invoices";
  public static final String INVOICE_FINALIZED = "tollgate.invoice.finalized";
  public static final String INVOICE_PAID = "tollgate.invoice.paid";
  public static final String INVOICE_VOIDED = "tollgate.invoice.voided";
  public static final String CREDIT_NOTE_ISSUED = "tollgate.credit_note.issued";
  public static final String USAGE_THRESHOLD_CROSSED = "tollgate.usage.threshold_crossed";
  public static final String BILLING_SOURCE = "/tollgate/billing";
  /** Webhook endpoints' circuits opening and closing, and endpoints disabled, each with its account as subject. */
  public static final String WEBHOOKS_TOPIC = "tollgate.webhooks";
  public static final String WEBHOOKS_PRODUCT = "prod_tollgate_webhooks";
  public static final String WEBHOOKS_PLAN = "plan_tollgate_webhooks";
  public static final String WEBHOOKS_SOURCE = "/tollgate/webhooks";
  private static final int INVOICE_PARTITIONS = 4;
  private static final int WEBHOOK_PARTITIONS = 4;
  /** Invoices are the record of what was billed: the platform keeps their events whatever the node's default. */
  private static final long KEEP_FOREVER = -1;
  /** Another node starting at the same time created it first. */
  private static final Set<String> ALREADY_THERE =
      Set.of("account_exists", "domain_name_unavailable", "topic_exists", "product_exists", "plan_exists");

  private Platform() {}

  /** Creates what is missing; every node may do it at start, since a duplicate is refused and ignored. */
  public static CompletionStage<Void> ensure(CatalogWriter writer, CatalogView view) {
    Catalog catalog = view.catalog();
    List<CatalogCommand> missing = new java.util.ArrayList<>();
    if (catalog.account(ACCOUNT).isEmpty()) {
      missing.add(new CatalogCommand.CreateAccount(ACCOUNT, "Tollgate"));
    }
    if (catalog.domain(DOMAIN).isEmpty()) {
      missing.add(new CatalogCommand.CreateDomain(DOMAIN, ACCOUNT));
    }
    if (catalog.topic(INVOICES_TOPIC).isEmpty()) {
      missing.add(new CatalogCommand.CreateTopic(INVOICES_TOPIC, DOMAIN, INVOICE_PARTITIONS, Optional.empty(),
          KEEP_FOREVER, KEEP_FOREVER));
    }
    if (catalog.product(INVOICES_PRODUCT).isEmpty()) {
      missing.add(new CatalogCommand.CreateProduct(INVOICES_PRODUCT, "Invoice events", ACCOUNT, List.of(INVOICES_TOPIC),
          "Each of your invoices as a tollgate.invoice.finalized event, once its period is closed, its payment, void"
              + " and credit notes, and each crossing of your usage alerts (tollgate.usage.threshold_crossed).",
          Visibility.PUBLIC));
    }
    if (catalog.plan(INVOICES_PLAN).isEmpty()) {
      missing.add(new CatalogCommand.CreatePlan(INVOICES_PLAN, INVOICES_PRODUCT, "own invoices", PlanTerms.newBuilder()
          .setCurrency("USD").setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0")))
          .setRevenueShare("0").setFilterJson("{\"subject\":\"${account}\"}").build()));
    }
    return create(writer, missing);
  }

  /**
   * Creates the webhooks topic, product and plan if they are missing: when the first webhook
   * subscription is made, so a platform without webhooks lists no webhooks product.
   */
  public static CompletionStage<Void> ensureWebhooks(CatalogWriter writer, CatalogView view) {
    Catalog catalog = view.catalog();
    List<CatalogCommand> missing = new java.util.ArrayList<>();
    if (catalog.topic(WEBHOOKS_TOPIC).isEmpty()) {
      // Endpoint notices are operational, not a record of what was billed: the node's default retention.
      missing.add(new CatalogCommand.CreateTopic(WEBHOOKS_TOPIC, DOMAIN, WEBHOOK_PARTITIONS, Optional.empty(), 0, 0));
    }
    if (catalog.product(WEBHOOKS_PRODUCT).isEmpty()) {
      missing.add(new CatalogCommand.CreateProduct(WEBHOOKS_PRODUCT, "Webhook endpoint events", ACCOUNT,
          List.of(WEBHOOKS_TOPIC), "Your webhook endpoints' circuits opening and closing, and endpoints disabled.",
          Visibility.PUBLIC));
    }
    if (catalog.plan(WEBHOOKS_PLAN).isEmpty()) {
      missing.add(new CatalogCommand.CreatePlan(WEBHOOKS_PLAN, WEBHOOKS_PRODUCT, "own endpoints", PlanTerms.newBuilder()
          .setCurrency("USD").setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0")))
          .setRevenueShare("0").setFilterJson("{\"subject\":\"${account}\"}").build()));
    }
    return create(writer, missing);
  }

  private static CompletionStage<Void> create(CatalogWriter writer, List<CatalogCommand> missing) {
    CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
    for (CatalogCommand change : missing) {
      done = done.thenCompose(previous -> writer.write(ACTOR, change)
          .handle((catalogAfter, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause != null && !(cause instanceof Refusal refused && ALREADY_THERE.contains(refused.code()))) {
              throw new CompletionException(cause);
            }
            return null;
          }));
    }
    return done;
  }
}
