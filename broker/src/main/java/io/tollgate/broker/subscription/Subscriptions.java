package io.tollgate.broker.subscription;

import io.tollgate.billing.Cancellation;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogCommand;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.CatalogWriter;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.topic.TopicPartition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Creating a subscription, moving it to another plan and cancelling it: the catalog change, and
 * what else must learn of it. A subscription that starts at the end asks each partition of its
 * product where it ends now; a plan change tells the subscription's entity, whose open stream then
 * ends with a {@code plan_changed} notice so the consumer continues under the new terms. A cancel
 * records when the subscription ends; from then on its streams are ended and refused by
 * {@code OpenSessions}, which looks at the catalog.
 */
public final class Subscriptions {
  private final ClusterSharding sharding;
  private final CatalogView view;
  private final CatalogWriter writer;
  private final Duration timeout;
  private final Clock clock;
  private final PeriodScheme periods;

  public Subscriptions(ClusterSharding sharding, CatalogView view, CatalogWriter writer, Duration timeout, Clock clock,
                       PeriodScheme periods) {
    this.sharding = sharding;
    this.view = view;
    this.writer = writer;
    this.timeout = timeout;
    this.clock = clock;
    this.periods = periods;
  }

  /** Where a new subscription starts reading its product's partitions. */
  public enum Start { BEGINNING, END }

  public CompletionStage<Catalog> create(String actor, String id, String account, Catalog.Product product, String plan,
                                         String deliveryType, Optional<String> filterJson, Start start,
                                         Optional<CatalogCommand.WebhookTarget> webhook) {
    CompletionStage<List<AckPoint>> startPoints = start == Start.END
        ? endsOf(product) : CompletableFuture.completedFuture(List.of());
    return startPoints.thenCompose(points -> writer.write(actor, new CatalogCommand.CreateSubscription(
        id, account, product.id(), plan, deliveryType, filterJson, points, webhook)));
  }

  public CompletionStage<Catalog> changePlan(String actor, String subscription, String plan) {
    return writer.write(actor, new CatalogCommand.ChangePlan(subscription, plan)).thenApply(catalog -> {
      // Told once: a copy lost in a hand-off is made up by the session itself, which watches its
      // node's catalog for the plan change (StreamSession.watchPlan) and ends on it all the same.
      sharding.entityRefFor(SubscriptionEntity.ENTITY_KEY, subscription).tell(new SubscriptionEntity.PlanChanged(plan));
      return catalog;
    });
  }

  /**
   * Cancels the subscription {@code at} now or at the end of the current period. A cancel that
   * would not bring its end earlier changes nothing and answers the catalog as it is.
   */
  public CompletionStage<Catalog> cancel(String actor, Catalog.Subscription subscription, Cancellation at) {
    java.time.Instant endsAt = at.endsAt(clock.instant(), periods);
    if (subscription.endsAt().filter(scheduled -> !endsAt.isBefore(scheduled) && scheduled.isAfter(clock.instant()))
        .isPresent()) {
      return CompletableFuture.completedFuture(view.catalog());
    }
    return writer.write(actor, new CatalogCommand.CancelSubscription(subscription.id(), at, endsAt));
  }

  /** Pauses the subscription from now: nothing is delivered or billed until it is resumed. */
  public CompletionStage<Catalog> pause(String actor, String subscription) {
    return writer.write(actor, new CatalogCommand.PauseSubscription(subscription));
  }

  /** Resumes a paused subscription from now; its cursor stayed where its last ack left it. */
  public CompletionStage<Catalog> resume(String actor, String subscription) {
    return writer.write(actor, new CatalogCommand.ResumeSubscription(subscription));
  }

  /** The last event of each partition that has any; an empty partition is read from its beginning. */
  private CompletionStage<List<AckPoint>> endsOf(Catalog.Product product) {
    List<CompletableFuture<AckPoint>> ends = new ArrayList<>();
    for (PartitionRef partition : view.catalog().partitionsOf(product)) {
      ends.add(sharding.entityRefFor(TopicPartition.ENTITY_KEY, partition.entityId())
          .<AckPoint>ask(TopicPartition.GetEnd::new, timeout).toCompletableFuture());
    }
    return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
        .thenApply(done -> ends.stream().map(CompletableFuture::join).filter(end -> end.offset() >= 0).toList());
  }
}
