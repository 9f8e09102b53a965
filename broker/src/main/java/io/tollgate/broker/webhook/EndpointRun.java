package io.tollgate.broker.webhook;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.StreamSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.pattern.CircuitBreaker;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a webhook subscription's delivery, from an open feed until it ends or is stopped:
 * events are split into {@code concurrency} lanes by partition, so each partition's events go in
 * order, one request at a time per lane; a lane sends a batch (up to {@code batchSize} events, or
 * what came within the linger) and tries it again until a 2xx answers it, which acknowledges its
 * events through the feed, billing each once. A {@code 410 Gone} disables the endpoint; so does
 * failing without a success for the retry policy's {@code disableAfter}. Failures in a row open a
 * circuit shared by the lanes, which then wait instead of sending until it lets one through.
 * A batch the dead-letter policy gives up is stored as dead letters and the cursor moves past it
 * unbilled (which ends the session; the worker starts the next run from there). Beside the lanes,
 * one more sends the dead letters a replay queued, through the same signing, circuit and retries;
 * a 2xx has the ledger remove and bill them.
 */
final class EndpointRun {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointRun.class);
  private static final int OPENED_SECRETS = 8;
  /**
   * Attempts told to the ledger in one message, at most: with 512-byte excerpts, 100 stay well
   * inside a cluster message's 256 KiB frame when the ledger runs on another node.
   */
  private static final int ATTEMPTS_PER_WRITE = 100;

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
  private final DeliveryRecords records;
  private final EndpointEvents events;
  private final Clock clock;
  /** The endpoint's URL, parsed once for every request of the run. */
  private final Uri url;
  /**
   * The secrets this run opened, by what the catalog stores: opening one (a cipher made and run)
   * for every request cost more than signing with it. A rotation adds one; the few kept are dropped
   * together past {@link #OPENED_SECRETS}.
   */
  private final Map<Catalog.StoredSecret, byte[]> openedSecrets = new ConcurrentHashMap<>();
  /** The subscription's dead-letter policy: its own fields over the node's. */
  private final DeadLetterPolicy deadLetters;
  private final CircuitBreaker breaker;
  private final AtomicBoolean stopped = new AtomicBoolean();
  /** Whether an attempt was not kept because the attempt log fell a whole log behind (warned once a run). */
  private final AtomicBoolean attemptsDropped = new AtomicBoolean();
  /** When the endpoint began failing without a success since (the worker's, kept across runs); empty while it succeeds. */
  private final AtomicReference<Optional<Instant>> failingSince;
  /** Per partition, the latest ack the run sent, done once committed or refused. */
  private final Map<PartitionRef, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();
  private final SharedKillSwitch killSwitch = KillSwitches.shared("webhook-run");
  /**
   * The run's attempts on their way to the attempt log, written in groups (one journal write per
   * {@code attempt-log-interval}, not one per request, which at thousands of requests a second
   * would crowd out the node's other writes); completed, so flushed, when the run ends.
   */
  private BoundedSourceQueue<Attempt> attempts;

  /**
   * Events a lane sends and tries again until a 2xx answers or the policy gives them up;
   * {@code deadLetters}: the numbers of the dead letters a replay sends, empty for live events.
   */
  private record Batch(List<Delivery> deliveries, Instant firstTryAt, List<Long> deadLetters) {
    boolean replay() {
      return !deadLetters.isEmpty();
    }
  }

  EndpointRun(ActorSystem<?> system, WebhookSettings settings, WebhookClient client, CatalogView view,
              Catalog.WebhookEndpoint endpoint, DeliveryRecords records, EndpointEvents events,
              AtomicReference<Optional<Instant>> failingSince, Clock clock) {
    this.system = system;
    this.settings = settings;
    this.client = client;
    this.view = view;
    this.endpoint = endpoint;
    this.records = records;
    this.events = events;
    this.failingSince = failingSince;
    this.clock = clock;
    this.url = Uri.create(endpoint.url());
    this.deadLetters = DeadLetterPolicy.chosen(endpoint.deadLetters(), settings.deadLetters().policy());
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
    attempts = Source.<Attempt>queue(settings.attemptLogSize())
        .groupedWithin(ATTEMPTS_PER_WRITE, settings.attemptLogInterval())
        .mapAsync(1, group -> logged(records.attempts(endpoint.subscription(), group)))
        .to(Sink.ignore())
        .run(system);
    Source.tick(Duration.ZERO, settings.wakeEvery(), "replay")
        .via(killSwitch.flow())
        .mapAsync(1, tick -> records.queued(endpoint.subscription(), endpoint.batchSize())
            .exceptionally(failure -> List.of()))
        .filter(letters -> !letters.isEmpty())
        .mapAsync(1, letters -> attempt(replayOf(letters), 1).exceptionally(failure -> List.of()))
        .runWith(Sink.ignore(), system);
    CompletionStage<Done> done = feed.items()
        .via(killSwitch.flow())
        .mapConcat(item -> item instanceof DeliveryFeed.Events batch ? batch.deliveries() : List.<Delivery>of())
        .groupBy(lanes, delivery -> Math.floorMod(delivery.cursor().partitionRef().hashCode(), lanes))
        .groupedWithin(endpoint.batchSize(), settings.linger())
        .mapAsync(1, batch -> attempt(new Batch(List.copyOf(batch), clock.instant(), List.of()), 1))
        .mapConcat(EndpointRun::lastOfEachPartition)
        .mergeSubstreams()
        .map(this::ack)
        .watchTermination(Keep.right())
        .to(feed.acks())
        .run(system);
    return done.whenComplete((ended, failure) -> {
      stopped.set(true);
      killSwitch.shutdown();
      attempts.complete();
    });
  }

  void stop(String why) {
    stopped.set(true);
    killSwitch.abort(new Stopped(why));
  }

  private StreamSession.FeedAck ack(Cursor cursor) {
    CompletableFuture<Void> committed = new CompletableFuture<>();
    acks.put(cursor.partitionRef(), committed);
    return new StreamSession.FeedAck(cursor.encode(), answer -> committed.complete(null));
  }

  private Batch replayOf(List<DeadLetter> letters) {
    return new Batch(letters.stream().map(letter -> new Delivery(letter.point().cursor(), letter.point().offset(),
            letter.event(), letter.appendedAt().toEpochMilli())).toList(), clock.instant(),
        letters.stream().map(DeadLetter::number).toList());
  }

  /** The cursor to acknowledge per partition: the last of each, in the batch's order. */
  static List<Cursor> lastOfEachPartition(List<Delivery> batch) {
    Map<PartitionRef, Cursor> last = new LinkedHashMap<>();
    batch.forEach(delivery -> last.put(delivery.cursor().partitionRef(), delivery.cursor()));
    return List.copyOf(last.values());
  }

  private CompletionStage<List<Delivery>> attempt(Batch batch, int tryNumber) {
    if (stopped.get()) {
      return CompletableFuture.failedFuture(new Stopped("the run stopped"));
    }
    String subscription = endpoint.subscription();
    Catalog.WebhookEndpoint current = view.catalog().webhook(subscription).orElse(endpoint);
    SecretBox box = settings.secrets().orElseThrow(() -> new Stopped("this node has no webhook secret key"));
    if (openedSecrets.size() > OPENED_SECRETS) {
      openedSecrets.clear();
    }
    List<byte[]> secrets = current.signingAt(clock.instant()).stream()
        .map(secret -> openedSecrets.computeIfAbsent(secret, stored -> box.open(stored.ciphertext(), subscription)))
        .toList();
    byte[] body = WebhookBody.of(subscription, batch.deliveries());
    String id = WebhookBody.webhookId(subscription, batch.deliveries());
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
  private CompletionStage<List<Delivery>> waitForCircuit(Batch batch, int tryNumber, Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    Duration wait = cause instanceof CircuitBreakerOpenException open
        ? Duration.ofMillis(Math.max(10, open.remainingDuration().toMillis())) : settings.retries().first();
    return later(wait, () -> attempt(batch, tryNumber));
  }

  private CompletionStage<List<Delivery>> outcome(Batch batch, int tryNumber, String id, Instant sentAt,
                                                  WebhookClient.Answer answer) {
    if (isSuccess(answer)) {
      failingSince.set(Optional.empty());
      record(batch, tryNumber, id, sentAt, answer, "", Optional.empty());
      if (batch.replay()) {
        return records.redelivered(endpoint.subscription(), batch.deadLetters(), clock.instant())
            .thenApply(done -> List.of());
      }
      return CompletableFuture.completedFuture(batch.deliveries());
    }
    Instant now = clock.instant();
    if (answer.status() == 410) {
      record(batch, tryNumber, id, sentAt, answer, "", Optional.empty());
      return disable("gone", "the endpoint answered 410 Gone");
    }
    Instant since = failingSince.updateAndGet(was -> was.or(() -> Optional.of(now))).orElseThrow();
    if (settings.retries().failedForTooLong(since, now)) {
      record(batch, tryNumber, id, sentAt, answer, "", Optional.empty());
      return disable("failing", "the endpoint failed every request since " + since + ", longer than "
          + settings.retries().disableAfter());
    }
    if (deadLetters.givesUp(batch.firstTryAt(), tryNumber, now)) {
      return giveUp(batch, tryNumber, id, sentAt, answer);
    }
    return tryAgain(batch, tryNumber, id, sentAt, answer, "");
  }

  private CompletionStage<List<Delivery>> tryAgain(Batch batch, int tryNumber, String id, Instant sentAt,
                                                   WebhookClient.Answer answer, String note) {
    Instant now = clock.instant();
    Duration delay = settings.retries().delay(tryNumber,
        answer.retryAfter().flatMap(value -> RetryPolicy.retryAfter(value, now)),
        () -> ThreadLocalRandom.current().nextDouble());
    record(batch, tryNumber, id, sentAt, answer, note, Optional.of(now.plus(delay)));
    return later(delay, () -> attempt(batch, tryNumber + 1));
  }

  /**
   * A replay that fails past the policy leaves its letters where they were. A live batch goes to
   * the dead-letter store; once the acks this run sent before it for its partitions are committed
   * (else a move could pass them unbilled), the cursor moves past it, unbilled. A full store
   * keeps the batch: its lane holds back and tries it again.
   */
  private CompletionStage<List<Delivery>> giveUp(Batch batch, int tryNumber, String id, Instant sentAt,
                                                 WebhookClient.Answer answer) {
    String subscription = endpoint.subscription();
    if (batch.replay()) {
      record(batch, tryNumber, id, sentAt, answer, "replay_gave_up", Optional.empty());
      return logged(records.replayGaveUp(subscription, batch.deadLetters())).thenApply(unqueued -> List.<Delivery>of());
    }
    Instant now = clock.instant();
    String reason = answer.status() > 0 ? "status " + answer.status() : answer.error();
    List<DeadLetter> letters = batch.deliveries().stream().map(delivery -> new DeadLetter(0,
        new AckPoint(delivery.cursor(), delivery.offset()), delivery.event(),
        Instant.ofEpochMilli(delivery.appendedAtMillis()), now, reason, false)).toList();
    return records.deadLetter(subscription, letters).thenCompose(stored -> {
      if (!stored.isDone()) {
        return tryAgain(batch, tryNumber, id, sentAt, answer, stored.code());
      }
      record(batch, tryNumber, id, sentAt, answer, "dead_lettered", Optional.empty());
      Map<PartitionRef, AckPoint> last = new LinkedHashMap<>();
      batch.deliveries().forEach(delivery -> last.put(delivery.cursor().partitionRef(),
          new AckPoint(delivery.cursor(), delivery.offset())));
      List<AckPoint> past = List.copyOf(last.values());
      CompletableFuture<?>[] earlier = past.stream().map(point -> acks.get(point.partition()))
          .filter(Objects::nonNull).toArray(CompletableFuture[]::new);
      return CompletableFuture.allOf(earlier).orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .handle((done, failure) -> null)
          .thenCompose(committed -> records.skip(subscription, past))
          .thenApply(moved -> List.<Delivery>of());
    });
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

  /** {@code note}: what became of the batch besides the answer (dead_lettered, dead_letters_full, replay_gave_up). */
  private void record(Batch batch, int tryNumber, String id, Instant sentAt, WebhookClient.Answer answer,
                      String note, Optional<Instant> nextTryAt) {
    List<Delivery> deliveries = batch.deliveries();
    String error = Stream.of(answer.error(), note).filter(text -> !text.isEmpty()).collect(Collectors.joining(", "));
    Attempt attempt = new Attempt(0, id, sentAt, answer.status(), answer.latencyMillis(), answer.excerpt(), error,
        deliveries.size(), deliveries.get(0).cursor().encode(), deliveries.get(deliveries.size() - 1).cursor().encode(),
        nextTryAt, tryNumber, batch.replay());
    QueueOfferResult offered = attempts.offer(attempt);
    if (offered == QueueOfferResult.enqueued()) {
      return;
    }
    if (offered != QueueOfferResult.dropped()) {
      // An answer after the run ended (the queue is closed): the attempt goes alone.
      logged(records.attempts(endpoint.subscription(), List.of(attempt)));
    } else if (!attemptsDropped.getAndSet(true)) {
      // attempt-log-size attempts wait for a ledger that does not answer (its node died and is not
      // downed yet): as many as the log holds, so newer ones are not kept; told alone, each would be
      // one more retrying ask to the same unanswering ledger.
      LOG.atWarn().addKeyValue("subscription", endpoint.subscription())
          .log("the webhook ledger is behind by the whole attempt log; attempts made while it is are not kept "
              + "(warned once a run)");
    }
  }

  /**
   * The ledger's answer, or nothing when it did not answer by the failover wait (the write was
   * sent again until then): the run goes on, and the warning says what the log misses.
   */
  private CompletionStage<Optional<WebhookLedger.Reply>> logged(CompletionStage<WebhookLedger.Reply> written) {
    return written.handle((reply, failure) -> {
      if (failure != null) {
        LOG.atWarn().addKeyValue("subscription", endpoint.subscription()).setCause(failure)
            .log("the webhook ledger did not answer a write by the failover wait");
      }
      return Optional.ofNullable(reply);
    });
  }

  private static boolean isSuccess(WebhookClient.Answer answer) {
    return answer.status() >= 200 && answer.status() < 300;
  }
}
