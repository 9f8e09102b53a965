package io.tollgate.broker.invoicing;

import io.tollgate.billing.Money;
import io.tollgate.protocols.v1.journal.UsageAlert;
import java.time.Instant;

/**
 * A usage alert as an account asks for it, in plain values: the edge parses the request into
 * one, and the billing entity journals it ({@link #toAlert}). {@code subscription} is empty for
 * an alert on the whole account.
 */
public record NewAlert(String id, String name, String subscription, Threshold threshold, Instant createdAt,
                       String actor) {
  /** What crossing means: a number of units acknowledged, or a running charge. */
  public sealed interface Threshold {}

  public record Units(long units) implements Threshold {}

  public record Charge(Money amount) implements Threshold {}

  UsageAlert toAlert() {
    UsageAlert.Builder alert = UsageAlert.newBuilder().setId(id).setName(name).setSubscription(subscription)
        .setCreatedAtMillis(createdAt.toEpochMilli()).setActor(actor);
    if (threshold instanceof Charge charge) {
      return alert.setMetric(UsageAlerts.MONEY).setCurrency(charge.amount().currency().getCurrencyCode())
          .setAmount(charge.amount().toString()).build();
    }
    return alert.setMetric(UsageAlerts.UNITS).setUnits(((Units) threshold).units()).build();
  }

  static NewAlert of(UsageAlert alert) {
    Threshold threshold = alert.getMetric().equals(UsageAlerts.MONEY)
        ? new Charge(StoredMoney.of(alert.getAmount(), alert.getCurrency()))
        : new Units(alert.getUnits());
    return new NewAlert(alert.getId(), alert.getName(), alert.getSubscription(), threshold,
        Instant.ofEpochMilli(alert.getCreatedAtMillis()), alert.getActor());
  }
}
