package io.tollgate.broker.webhook;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.StreamSession;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;

/**
 * One run of a webhook subscription's delivery, from an open feed until it ends or is stopped:
 * events are split into {@code concurrency} lanes by partition, so each partition's events go in
 * order, one request at a time per lane; a lane sends a batch (up to {@code batchSize} events, or
 * what came within the linger) and tries it again until a 2xx answers it, which acknowledges its
 * events through the feed, billing each once. A {@code 410 Gone} disables the endpoint; so does
 * failing without a success for the retry policy's {@code disableAfter}. Failures in a row open a
 * circuit shared by the lanes, which then wait instead of sending until it lets one through.
 */
final class EndpointRun {
  /** The run was stopped or the endpoint disabled: the lane's batch is not acknowledged. */
  static final class Stopped extends RuntimeException {
    Stopped(String why) {
      super(why, null, false, false);
    }
  }

  private final ActorSystem<?> system;
  private final WebhookSettings settings;
  private final WebhookClient client;
  private final CatalogView view;
  private final Catalog.WebhookEndpoint endpoint;
  private final AttemptLog log;
  private final EndpointEvents events;
  private final Clock clock;
  private final URI url;
  private final CircuitBreaker breaker;
  private final AtomicBoolean stopped = new AtomicBoolean();
  /** When the endpoint began failing without a success since; empty while it succeeds. */
  private final AtomicReference<Optional<Instant>> failingSince = new AtomicReference<>(Optional.empty());
  private volatile UniqueKillSwitch killSwitch;

  EndpointRun(ActorSystem<?> system, WebhookSettings settings, WebhookClient client, CatalogView view,
              Catalog.WebhookEndpoint endpoint, AttemptLog log, EndpointEvents events, Clock clock) {
    this.system = system;
    this.settings = settings;
    this.client = client;
    this.view = view;
    this.endpoint = endpoint;
    this.log = log;
    this.events = events;
    this.clock = clock;
    this.url = URI.create(endpoint.url());
    this.breaker = CircuitBreaker.create(Adapter.toClassic(system).scheduler(), settings.breakerFailures(),
            settings.requestTimeout().plus(settings.bodyTimeout()).plusSeconds(1), settings.breakerReset())
        .addOnOpenListener(() -> events.circuitOpened(endpoint.subscription(), endpoint.url()))
        .addOnCloseListener(() -> events.circuitClosed(endpoint.subscription(), endpoint.url()));
  }

  Catalog.WebhookEndpoint endpoint() {
    return endpoint;
  }

  /** Runs the feed; the stage completes when the feed ends (the session ended) or fails when the run stops. */
  CompletionStage<Done> run(DeliveryFeed.Opened feed) {
    int lanes = endpoint.concurrency();
    Pair<UniqueKillSwitch, CompletionStage<Done>> running = feed.items()
        .viaMat(KillSwitches.single(), Keep.right())
        .mapConcat(item -> item instanceof DeliveryFeed.Events batch ? batch.deliveries() : List.<Delivery>of())
        .groupBy(lanes, delivery -> Math.floorMod(delivery.cursor().partitionRef().hashCode(), lanes))
        .groupedWithin(endpoint.batchSize(), settings.linger())
        .mapAsync(1, batch -> attempt(List.copyOf(batch), 1))
        .mapConcat(EndpointRun::lastOfEachPartition)
        .mergeSubstreams()
        .map(cursor -> new StreamSession.FeedAck(cursor.encode(), answer -> { }))
        .watchTermination(Keep.both())
        .to(feed.acks())
        .run(system);
    killSwitch = running.first();
    return running.second();
  }

  void stop(String why) {
    stopped.set(true);
    UniqueKillSwitch running = killSwitch;
    if (running != null) {
      running.abort(new Stopped(why));
    }
  }

  /** The cursor to acknowledge per partition: the last of each, in the batch's order. */
  static List<Cursor> lastOfEachPartition(List<Delivery> batch) {
    Map<PartitionRef, Cursor> last = new LinkedHashMap<>();
    batch.forEach(delivery -> last.put(delivery.cursor().partitionRef(), delivery.cursor()));
    return List.copyOf(last.values());
  }

  private CompletionStage<List<Delivery>> attempt(List<Delivery> batch, int tryNumber) {
    if (stopped.get()) {
      return CompletableFuture.failedFuture(new Stopped("the run stopped"));
    }
    String subscription = endpoint.subscription();
    Catalog.WebhookEndpoint current = view.catalog().webhook(subscription).orElse(endpoint);
    SecretBox box = settings.secrets().orElseThrow(() -> new Stopped("this node has no webhook secret key"));
    List<byte[]> secrets = current.signingAt(clock.instant()).stream()
        .map(secret -> box.open(secret.ciphertext(), subscription)).toList();
    byte[] body = WebhookBody.of(subscription, batch);
    String id = WebhookBody.webhookId(subscription, batch);
    Instant sentAt = clock.instant();
    long timestamp = sentAt.getEpochSecond();
    List<HttpHeader> headers = List.of(RawHeader.create("webhook-id", id),
        RawHeader.create("webhook-timestamp", Long.toString(timestamp)),
        RawHeader.create("webhook-signature", WebhookSignature.header(id, timestamp, body, secrets)),
        RawHeader.create("User-Agent", "Tollgate-Webhooks/1"));
    CompletionStage<WebhookClient.Answer> answered = breaker.callWithCircuitBreakerCS(
        () -> client.post(url, headers, body),
        (answer, failure) -> failure.isPresent() || !isSuccess(answer.get()));
    return answered.handle((answer, failure) -> {
          if (failure != null) {
            return waitForCircuit(batch, tryNumber, failure);
          }
          return outcome(batch, tryNumber, id, sentAt, answer);
        })
        .thenCompose(next -> next);
  }

  /** An open circuit sends nothing: the lane waits until it lets a request through. */
  private CompletionStage<List<Delivery>> waitForCircuit(List<Delivery> batch, int tryNumber, Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    Duration wait = cause instanceof CircuitBreakerOpenException open
        ? Duration.ofMillis(Math.max(10, open.remainingDuration().toMillis())) : settings.retries().first();
    return later(wait, () -> attempt(batch, tryNumber));
  }

  private CompletionStage<List<Delivery>> outcome(List<Delivery> batch, int tryNumber, String id, Instant sentAt,
                                                  WebhookClient.Answer answer) {
    if (isSuccess(answer)) {
      failingSince.set(Optional.empty());
      record(batch, tryNumber, id, sentAt, answer, Optional.empty());
      return CompletableFuture.completedFuture(batch);
    }
    Instant now = clock.instant();
    if (answer.status() == 410) {
      record(batch, tryNumber, id, sentAt, answer, Optional.empty());
      return disable("gone", "the endpoint answered 410 Gone");
    }
    Instant since = failingSince.updateAndGet(was -> was.or(() -> Optional.of(now))).orElseThrow();
    if (settings.retries().failedForTooLong(since, now)) {
      record(batch, tryNumber, id, sentAt, answer, Optional.empty());
      return disable("failing", "the endpoint failed every request since " + since + ", longer than "
          + settings.retries().disableAfter());
    }
    Duration delay = settings.retries().delay(tryNumber,
        answer.retryAfter().flatMap(value -> RetryPolicy.retryAfter(value, now)),
        () -> ThreadLocalRandom.current().nextDouble());
    record(batch, tryNumber, id, sentAt, answer, Optional.of(now.plus(delay)));
    return later(delay, () -> attempt(batch, tryNumber + 1));
  }

  private CompletionStage<List<Delivery>> disable(String reason, String message) {
    stopped.set(true);
    events.disable(endpoint.subscription(), endpoint.url(), reason, message);
    return CompletableFuture.failedFuture(new Stopped("disabled: " + message));
  }

  private CompletionStage<List<Delivery>> later(Duration delay,
                                                java.util.concurrent.Callable<CompletionStage<List<Delivery>>> next) {
    return Patterns.after(delay, Adapter.toClassic(system), next);
  }

  private void record(List<Delivery> batch, int tryNumber, String id, Instant sentAt, WebhookClient.Answer answer,
                      Optional<Instant> nextTryAt) {
    log.add(new Attempt(0, id, sentAt, answer.status(), answer.latencyMillis(), answer.excerpt(), answer.error(),
        batch.size(), batch.get(0).cursor().encode(), batch.get(batch.size() - 1).cursor().encode(), nextTryAt,
        tryNumber));
  }

  private static boolean isSuccess(WebhookClient.Answer answer) {
    return answer.status() >= 200 && answer.status() < 300;
  }
}
