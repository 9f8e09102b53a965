package io.tollgate.broker.webhook;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A webhook subscription's delivery worker, one in the cluster (a sharded entity, kept alive by
 * the {@link Wake}s every node sends): it runs an {@link EndpointRun} while the endpoint is
 * enabled and the subscription neither ended nor paused, starts a new one when the endpoint
 * changes or a run ends (its session was replaced, its plan changed, a commit timed out, the cursor
 * moved past a dead-lettered batch). It only sequences; the delivery is the run's, and the
 * attempts and dead letters are the subscription's {@link WebhookLedger}'s.
 */
public final class WebhookWorker extends AbstractBehavior<WebhookWorker.Command> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "WebhookWorker");
  /**
   * A run that ended is started again after this, doubling while runs keep ending soon after they
   * start, up to the wake interval; a run that lasted a wake interval starts the doubling over.
   */
  private static final Duration FIRST_RESTART = Duration.ofMillis(200);

  public sealed interface Command extends ClusterMessage {}

  /** Makes sure the worker runs (or knows why it does not). */
  public record Wake(String subscription) implements Command {}

  /** A page of the attempt log, newest first, numbered below {@code before} (0: from the newest). */
  public record GetAttempts(String subscription, long before, int limit, ActorRef<AttemptsPage> replyTo)
      implements Command {}

  /** {@code state}: {@code delivering}, or why the worker does not deliver. */
  public record AttemptsPage(List<Attempt> attempts, boolean more, String state) implements ClusterMessage {}

  private record Opened(long run, DeliveryFeed.Opened feed, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  private record RunEnded(long run, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** What every worker of a node shares. */
  public record Parts(CatalogView view, DeliveryFeed feed, WebhookClient client, EndpointEvents events,
                      DeliveryRecords records, WebhookSettings settings, Clock clock) {}

  public static void initSharding(ClusterSharding sharding, Parts parts) {
    sharding.init(Entity.of(ENTITY_KEY, context -> Behaviors.setup(actor -> new WebhookWorker(actor,
        context.getEntityId(), parts))));
  }

  private final String subscription;
  private final Parts parts;
  private EndpointRun current;
  private long run;
  private boolean opening;
  private String state = "starting";
  private Instant nextStart = Instant.MIN;
  private Duration restartDelay = FIRST_RESTART;
  private Instant runStartedAt = Instant.MIN;
  /**
   * When the endpoint began failing without a success since, kept from run to run while the
   * endpoint stays the same: a dead-lettered batch ends its run, and the next run must not start
   * the {@code disable-after} count over.
   */
  private final AtomicReference<Optional<Instant>> failingSince = new AtomicReference<>(Optional.empty());
  private Instant failingEndpointChangedAt = Instant.MIN;

  private WebhookWorker(ActorContext<Command> context, String subscription, Parts parts) {
    super(context);
    this.subscription = subscription;
    this.parts = parts;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Wake.class, wake -> check())
        .onMessage(GetAttempts.class, get -> {
          String now = state;
          parts.records().attemptPage(subscription, get.before(), get.limit()).thenAccept(page ->
              get.replyTo().tell(new AttemptsPage(page.attempts(), page.more(), now)));
          return this;
        })
        .onMessage(Opened.class, this::onOpened)
        .onMessage(RunEnded.class, this::onRunEnded)
        .onSignal(PostStop.class, stop -> {
          stopRun("the worker stopped");
          return this;
        })
        .build();
  }

  private Behavior<Command> check() {
    Catalog catalog = parts.view().catalog();
    Optional<String> idle = whyIdle(catalog, parts.clock().instant());
    if (idle.isPresent()) {
      stopRun(idle.get());
      state = idle.get();
      return this;
    }
    Catalog.WebhookEndpoint endpoint = catalog.webhook(subscription).orElseThrow();
    if (current != null && current.endpoint().changedAt().equals(endpoint.changedAt())) {
      return this;
    }
    if (current != null) {
      stopRun("the endpoint changed");
    }
    if (opening || parts.clock().instant().isBefore(nextStart)) {
      return this;
    }
    opening = true;
    long starting = ++run;
    state = "starting";
    getContext().pipeToSelf(parts.feed().open(catalog, catalog.subscription(subscription).orElseThrow()),
        (opened, failure) -> new Opened(starting, opened, failure));
    return this;
  }

  /** Why the worker does not deliver now, if it does not. */
  private Optional<String> whyIdle(Catalog catalog, Instant now) {
    Optional<Catalog.Subscription> found = catalog.subscription(subscription);
    Optional<Catalog.WebhookEndpoint> endpoint = catalog.webhook(subscription);
    if (found.isEmpty() || endpoint.isEmpty()) {
      return Optional.of("unknown");
    }
    if (found.get().endedAt(now)) {
      return Optional.of("cancelled");
    }
    if (found.get().pausedAt(now).isPresent()) {
      return Optional.of("paused");
    }
    if (endpoint.get().disabled().isPresent()) {
      Catalog.Disabled disabled = endpoint.get().disabled().get();
      return Optional.of("disabled (" + disabled.reason() + "): " + disabled.message());
    }
    if (parts.settings().secrets().isEmpty()) {
      return Optional.of("no webhook secret key on the node that runs it (tollgate.webhooks.secret-key)");
    }
    return Optional.empty();
  }

  private Behavior<Command> onOpened(Opened opened) {
    opening = false;
    if (opened.run() != run || current != null) {
      return this;
    }
    if (opened.failure() != null) {
      state = "could not attach: " + opened.failure().getMessage();
      scheduleRestart();
      return this;
    }
    Catalog.WebhookEndpoint endpoint = parts.view().catalog().webhook(subscription).orElseThrow();
    if (!endpoint.changedAt().equals(failingEndpointChangedAt)) {
      failingEndpointChangedAt = endpoint.changedAt();
      failingSince.set(Optional.empty());
    }
    current = new EndpointRun(getContext().getSystem(), parts.settings(), parts.client(), parts.view(), endpoint,
        parts.records(), parts.events(), failingSince, parts.clock());
    state = "delivering";
    runStartedAt = parts.clock().instant();
    long running = run;
    getContext().pipeToSelf(current.run(opened.feed()), (done, failure) -> new RunEnded(running, failure));
    return this;
  }

  private Behavior<Command> onRunEnded(RunEnded ended) {
    if (ended.run() != run) {
      return this;
    }
    current = null;
    state = ended.failure() == null ? "restarting: the session ended" : "restarting: " + ended.failure().getMessage();
    if (!parts.clock().instant().isBefore(runStartedAt.plus(parts.settings().wakeEvery()))) {
      restartDelay = FIRST_RESTART;
    }
    scheduleRestart();
    return this;
  }

  private void scheduleRestart() {
    nextStart = parts.clock().instant().plus(restartDelay);
    getContext().scheduleOnce(restartDelay, getContext().getSelf(), new Wake(subscription));
    Duration doubled = restartDelay.multipliedBy(2);
    restartDelay = doubled.compareTo(parts.settings().wakeEvery()) > 0 ? parts.settings().wakeEvery() : doubled;
  }

  private void stopRun(String why) {
    if (current != null) {
      current.stop(why);
      current = null;
      run++;
    }
  }
}
