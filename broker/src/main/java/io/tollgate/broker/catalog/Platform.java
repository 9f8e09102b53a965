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
 * finalized invoice appears as a {@code tollgate.invoice.finalized} event. Accounts subscribe
 * to its product like to any other; the free plan's filter lets each see only its own invoices.
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
  public static final String BILLING_SOURCE = "/tollgate/billing";
  private static final int INVOICE_PARTITIONS = 4;
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
          "Each of your invoices as a tollgate.invoice.finalized event, once its period is closed.", Visibility.PUBLIC));
    }
    if (catalog.plan(INVOICES_PLAN).isEmpty()) {
      missing.add(new CatalogCommand.CreatePlan(INVOICES_PLAN, INVOICES_PRODUCT, "own invoices", PlanTerms.newBuilder()
          .setCurrency("USD").setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0")))
          .setRevenueShare("0").setFilterJson("{\"subject\":\"${account}\"}").build()));
    }
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
