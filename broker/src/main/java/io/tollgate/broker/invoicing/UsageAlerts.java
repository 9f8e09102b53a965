package io.tollgate.broker.invoicing;

import io.tollgate.billing.Money;
import io.tollgate.billing.Period;
import io.tollgate.protocols.v1.journal.AlertCrossing;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.UsageAlert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An account's usage alerts and the rule of when each fires, without actors; part of
 * {@link BillingLedger}, which measures the usage and applies the events.
 *
 * <p>The rule: an alert fires at most once per billing period, in the first write of usage that
 * brings what it measures to its threshold or past it (a whole number of units, or the running
 * charge of the period in the alert's currency, as the upcoming invoice shows it). It watches
 * the periods that end after it was created and are not closed yet, so an alert created when
 * usage is past it already fires at once, for the current period; and it fires again in the next
 * period when usage crosses it again. Each crossing is journaled in the write that caused it, and
 * its event is stored on the platform's invoices topic under an id derived from the alert and the
 * period ({@link #eventId}), so neither a restart nor a resend announces it twice.
 */
final class UsageAlerts {
  static final String UNITS = "units";
  static final String MONEY = "money";

  /** What an alert measures in a period: the whole account's (subscription "") or one subscription's. */
  interface Measure {
    long units(String subscription);

    Money charge(String subscription, Currency currency);
  }

  private final Map<String, UsageAlert> alerts = new LinkedHashMap<>();
  /** The crossings of periods not closed yet, by {@link #eventId}: what stops a second firing. */
  private final Map<String, AlertCrossing> crossings = new LinkedHashMap<>();
  /** Crossings whose event is not stored yet, by {@link #eventId}, in the order they happened. */
  private final Map<String, AlertCrossing> unannounced = new LinkedHashMap<>();

  /** The CloudEvent id of an alert's crossing in a period: the same however often it is sent. */
  static String eventId(String alert, String period) {
    return alert + ":" + period;
  }

  static String eventId(AlertCrossing crossing) {
    return eventId(crossing.getAlert().getId(), crossing.getPeriod());
  }

  // ---- events -----------------------------------------------------------------------------

  void created(UsageAlert alert) {
    alerts.put(alert.getId(), alert);
  }

  void deleted(String alert) {
    alerts.remove(alert);
    crossings.values().removeIf(crossing -> crossing.getAlert().getId().equals(alert));
  }

  void crossed(AlertCrossing crossing) {
    crossings.put(eventId(crossing), crossing);
    unannounced.put(eventId(crossing), crossing);
  }

  void announced(String eventId) {
    unannounced.remove(eventId);
  }

  /** Periods that ended at or before {@code through} are closed: their crossings are kept no longer. */
  void closed(Instant through) {
    crossings.values().removeIf(crossing -> crossing.getPeriodEndMillis() <= through.toEpochMilli());
  }

  // ---- queries ----------------------------------------------------------------------------

  boolean isEmpty() {
    return alerts.isEmpty();
  }

  int count() {
    return alerts.size();
  }

  Optional<UsageAlert> alert(String id) {
    return Optional.ofNullable(alerts.get(id));
  }

  List<UsageAlert> all() {
    return List.copyOf(alerts.values());
  }

  List<AlertCrossing> crossingsOfOpenPeriods() {
    return List.copyOf(crossings.values());
  }

  List<AlertCrossing> unannounced() {
    return List.copyOf(unannounced.values());
  }

  boolean allAnnounced() {
    return unannounced.isEmpty();
  }

  Optional<AlertCrossing> unannounced(String eventId) {
    return Optional.ofNullable(unannounced.get(eventId));
  }

  // ---- the rule ---------------------------------------------------------------------------

  /**
   * The alerts among {@code candidates} that {@code measure} puts at or past their threshold in {@code period} and that
   * have not fired in it: each alert watches the periods that end after it was created, and none
   * that is closed ({@code closedThrough}).
   */
  List<AlertCrossing> crossedIn(Collection<UsageAlert> candidates, Period period, Instant closedThrough, Measure measure,
                                Instant at) {
    List<AlertCrossing> crossed = new ArrayList<>();
    if (!period.end().isAfter(closedThrough)) {
      return crossed;
    }
    for (UsageAlert alert : candidates) {
      if (!period.end().isAfter(Instant.ofEpochMilli(alert.getCreatedAtMillis()))
          || crossings.containsKey(eventId(alert.getId(), period.id()))) {
        continue;
      }
      valueIfCrossed(alert, measure).ifPresent(value -> crossed.add(AlertCrossing.newBuilder().setAlert(alert)
          .setPeriod(period.id()).setPeriodStartMillis(period.start().toEpochMilli())
          .setPeriodEndMillis(period.end().toEpochMilli()).setValue(value).setAtMillis(at.toEpochMilli()).build()));
    }
    return crossed;
  }

  /** What the alert measures, as its event shows it, when it is at or past its threshold. */
  private static Optional<String> valueIfCrossed(UsageAlert alert, Measure measure) {
    if (alert.getMetric().equals(UNITS)) {
      long units = measure.units(alert.getSubscription());
      return Long.compareUnsigned(units, alert.getUnits()) >= 0 ? Optional.of(Long.toString(units)) : Optional.empty();
    }
    Money threshold = StoredMoney.of(alert.getAmount(), alert.getCurrency());
    Money charge = measure.charge(alert.getSubscription(), threshold.currency());
    return charge.amount().compareTo(threshold.amount()) >= 0 ? Optional.of(charge.toString()) : Optional.empty();
  }

  // ---- snapshots --------------------------------------------------------------------------

  void addTo(BillingSnapshot.Builder snapshot) {
    snapshot.addAllAlerts(alerts.values()).addAllCrossings(crossings.values())
        .addAllUnannouncedCrossings(unannounced.values());
  }

  void readFrom(BillingSnapshot snapshot) {
    snapshot.getAlertsList().forEach(this::created);
    snapshot.getCrossingsList().forEach(crossing -> crossings.put(eventId(crossing), crossing));
    snapshot.getUnannouncedCrossingsList().forEach(crossing -> unannounced.put(eventId(crossing), crossing));
  }
}
