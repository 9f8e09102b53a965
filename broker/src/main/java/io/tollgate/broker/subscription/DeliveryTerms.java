package io.tollgate.broker.subscription;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.filter.EventFilter;
import io.tollgate.protocols.redaction.Redaction;
import java.util.Map;
import java.util.Optional;

/**
 * What of an event a subscription's consumer may see: the plan's filter (bound to the subscribing
 * account) sees the event as published, then the plan's redaction applies, then the
 * subscription's own filter sees the redacted event, so a consumer cannot learn a redacted value
 * from which events its filter lets through. The same order as a stream's ({@link StreamSession}).
 */
record DeliveryTerms(EventFilter planFilter, Redaction redaction, EventFilter ownFilter) {
  static DeliveryTerms of(Catalog.Plan plan, Catalog.Subscription subscription) {
    String planFilter = plan.terms().getFilterJson();
    return new DeliveryTerms(
        planFilter.isEmpty() ? EventFilter.matchAll()
            : EventFilter.parse(planFilter).bind(Map.of("account", subscription.account())),
        Redaction.parse(plan.terms().getRedactList()),
        subscription.filterJson().isEmpty() ? EventFilter.matchAll() : EventFilter.parse(subscription.filterJson()));
  }

  /** The delivery as the consumer sees it, or nothing when a filter withholds it. */
  Optional<Delivery> admit(Delivery delivery) {
    if (!planFilter.matches(delivery.event())) {
      return Optional.empty();
    }
    Delivery seen = delivery.withEvent(redaction.apply(delivery.event()));
    return ownFilter.matches(seen.event()) ? Optional.of(seen) : Optional.empty();
  }
}
