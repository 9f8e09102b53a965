package io.tollgate.broker.analytics;

import io.tollgate.broker.catalog.Catalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Under which keys a fact counts, by the catalog: an event published to a topic counts for the
 * topic, each product that bundles it and the topic's owner; what happens on a subscription
 * counts for the subscription, its product, the plan it was on then and the consuming account;
 * a producer's revenue for the subscription, its product and plan and the producer.
 */
public final class Attribution {
  /** Failed authentications name no account that could be trusted: they count under this key, seen by the operator. */
  public static final String UNATTRIBUTED = "-";

  /** One key of one dimension. */
  public record Target(Dimension dimension, String key) {}

  private Attribution() {}

  public static List<Target> ofTopic(Catalog catalog, String topic) {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target(Dimension.TOPICS, topic));
    catalog.products().stream().filter(product -> product.topics().contains(topic))
        .forEach(product -> targets.add(new Target(Dimension.PRODUCTS, product.id())));
    catalog.topicOwner(topic).ifPresent(owner -> targets.add(new Target(Dimension.ACCOUNTS, owner)));
    return targets;
  }

  /** The subscription, its product, its plan at {@code at} and the consumer (empty if the catalog has no such subscription). */
  public static List<Target> ofSubscription(Catalog catalog, String subscriptionId, Instant at) {
    Optional<Catalog.Subscription> found = catalog.subscription(subscriptionId);
    if (found.isEmpty()) {
      return List.of(new Target(Dimension.SUBSCRIPTIONS, subscriptionId));
    }
    Catalog.Subscription subscription = found.get();
    return List.of(new Target(Dimension.SUBSCRIPTIONS, subscriptionId),
        new Target(Dimension.PRODUCTS, subscription.product()),
        new Target(Dimension.PLANS, subscription.planAt(at)),
        new Target(Dimension.ACCOUNTS, subscription.account()));
  }

  /** A producer's revenue from a subscription: the consumer's account is replaced by the producer's. */
  public static List<Target> ofRevenue(Catalog catalog, String subscriptionId, String producer, Instant at) {
    List<Target> targets = new ArrayList<>(ofSubscription(catalog, subscriptionId, at).stream()
        .filter(target -> target.dimension() != Dimension.ACCOUNTS).toList());
    targets.add(new Target(Dimension.ACCOUNTS, producer));
    return targets;
  }

  /** A consumer's charge for a subscription on a plan, as its invoice names them. */
  public static List<Target> ofCharge(Catalog catalog, String subscriptionId, String plan, String consumer) {
    List<Target> targets = new ArrayList<>();
    targets.add(new Target(Dimension.SUBSCRIPTIONS, subscriptionId));
    catalog.subscription(subscriptionId).ifPresent(s -> targets.add(new Target(Dimension.PRODUCTS, s.product())));
    if (!plan.isEmpty()) {
      targets.add(new Target(Dimension.PLANS, plan));
    }
    targets.add(new Target(Dimension.ACCOUNTS, consumer));
    return targets;
  }
}
