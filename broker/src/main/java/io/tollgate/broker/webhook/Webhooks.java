package io.tollgate.broker.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogCommand;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.CatalogWriter;
import io.tollgate.broker.catalog.Platform;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.topic.Partitioner;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's webhooks: what the HTTP edge asks (a new endpoint with its secret, a changed
 * endpoint, a rotated secret, a page of attempts, the dead letters, their replay or deletion),
 * the announcements of endpoints' circuits and disablings on the platform's
 * {@code tollgate.webhooks} topic, the wakes that keep each webhook subscription's worker running
 * somewhere in the cluster, and the way to each subscription's {@link WebhookLedger}.
 */
public final class Webhooks implements EndpointEvents, DeliveryRecords {
  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** An endpoint ready to store, and its secret as its consumer sees it, once. */
  public record NewEndpoint(CatalogCommand.WebhookTarget target, String shownSecret) {}

  private final CatalogView view;
  private final CatalogWriter writer;
  private final ClusterSharding sharding;
  private final WebhookSettings settings;
  private final WebhookTargets targets;
  private final Executor resolving;
  private final Clock clock;
  private final Duration timeout;
  /** For what a run leaves in the ledger and what it announces: waits out the downing of a dead node. */
  private final ShardedAsk.Patience mustArrive;
  private final SecureRandom random = new SecureRandom();

  public Webhooks(CatalogView view, CatalogWriter writer, ClusterSharding sharding, WebhookSettings settings,
                  WebhookTargets targets, Executor resolving, Clock clock, Duration timeout,
                  ShardedAsk.Patience mustArrive) {
    this.view = view;
    this.writer = writer;
    this.sharding = sharding;
    this.settings = settings;
    this.targets = targets;
    this.resolving = resolving;
    this.clock = clock;
    this.timeout = timeout;
    this.mustArrive = mustArrive;
  }

  public WebhookSettings settings() {
    return settings;
  }

  /**
   * A new endpoint for subscription {@code subscription}: its URL checked (resolved off the
   * caller's thread), a secret generated and sealed. Creates the platform's webhooks topic first
   * if it is missing.
   */
  public CompletionStage<NewEndpoint> newEndpoint(String subscription, String url, int batchSize, int concurrency,
                                                  Catalog.DeadLetterChoice deadLetters) {
    URI target = WebhookTargets.parse(url);
    return checked(target)
        .thenCompose(ok -> {
          box();
          return Platform.ensureWebhooks(writer, view);
        })
        .thenApply(ok -> {
          SecretBox box = box();
          byte[] secret = WebhookSignature.newSecret(random);
          return new NewEndpoint(new CatalogCommand.WebhookTarget(url, batchSize, concurrency, deadLetters,
              box.seal(secret, subscription)), WebhookSignature.shown(secret));
        });
  }

  /**
   * Moves the endpoint to {@code url} (checked) with this batch size, concurrency and dead-letter
   * policy; enables it if disabled. Its secrets stay, so this needs no key.
   */
  public CompletionStage<Catalog> setEndpoint(String actor, String subscription, String url, int batchSize,
                                              int concurrency, Catalog.DeadLetterChoice deadLetters) {
    URI target = WebhookTargets.parse(url);
    return checked(target).thenCompose(ok -> writer.write(actor, new CatalogCommand.SetWebhookEndpoint(subscription,
        new CatalogCommand.WebhookTarget(url, batchSize, concurrency, deadLetters, new byte[0]))));
  }

  /** A new secret, shown once; the current ones keep signing for the overlap. */
  public CompletionStage<String> rotate(String actor, String subscription) {
    SecretBox box = box();
    byte[] secret = WebhookSignature.newSecret(random);
    return writer.write(actor, new CatalogCommand.RotateWebhookSecret(subscription, box.seal(secret, subscription),
            clock.instant().plus(settings.secretOverlap())))
        .thenApply(catalog -> WebhookSignature.shown(secret));
  }

  public CompletionStage<WebhookWorker.AttemptsPage> attempts(String subscription, long before, int limit) {
    return sharding.entityRefFor(WebhookWorker.ENTITY_KEY, subscription)
        .ask(replyTo -> new WebhookWorker.GetAttempts(subscription, before, limit, replyTo), timeout);
  }

  /** Dead letters numbered above {@code after}, oldest first. */
  public CompletionStage<WebhookLedger.DeadLetterPage> deadLetters(String subscription, long after, int limit) {
    return ledger(subscription).ask(replyTo -> new WebhookLedger.GetDeadLetters(after, limit, false, replyTo), timeout);
  }

  /**
   * Queues for replay ({@code replay}) or deletes ({@code delete}) the dead letters the selection
   * takes; the answer counts them. A replay wakes the worker, which sends them with its next run's
   * replay lane.
   */
  public CompletionStage<Long> selectDeadLetters(String subscription, String action, DeadLetterSelection selection) {
    return ShardedAsk.<WebhookLedger.Command, WebhookLedger.Reply>ask(ledger(subscription),
            replyTo -> new WebhookLedger.SelectDeadLetters(action, selection, replyTo), timeout, timeout.multipliedBy(3))
        .thenApply(reply -> {
          if (action.equals("replay")) {
            wake(subscription);
          }
          return reply.count();
        });
  }

  @Override
  public CompletionStage<WebhookLedger.Reply> attempts(String subscription, List<Attempt> attempts) {
    return WebhookLedger.recordAttempts(ledger(subscription), attempts, mustArrive);
  }

  @Override
  public CompletionStage<WebhookWorker.AttemptsPage> attemptPage(String subscription, long before, int limit) {
    return ledger(subscription).ask(replyTo -> new WebhookLedger.GetAttempts(before, limit, replyTo), timeout);
  }

  @Override
  public CompletionStage<WebhookLedger.Reply> deadLetter(String subscription, List<DeadLetter> letters) {
    return ShardedAsk.<WebhookLedger.Command, WebhookLedger.Reply>ask(ledger(subscription),
        replyTo -> new WebhookLedger.AddDeadLetters(letters, replyTo), timeout, timeout.multipliedBy(3));
  }

  /** The seek's own move: no units, and the open session ends with {@code cursor_moved}. */
  @Override
  public CompletionStage<Void> skip(String subscription, List<AckPoint> to) {
    return ShardedAsk.<SubscriptionEntity.Command, SubscriptionEntity.Attached>ask(
            sharding.entityRefFor(SubscriptionEntity.ENTITY_KEY, subscription),
            replyTo -> new SubscriptionEntity.MoveCursors(to, replyTo), timeout, timeout.multipliedBy(3))
        .thenApply(standing -> null);
  }

  @Override
  public CompletionStage<List<DeadLetter>> queued(String subscription, int limit) {
    return ledger(subscription).<WebhookLedger.DeadLetterPage>ask(
            replyTo -> new WebhookLedger.GetDeadLetters(0, limit, true, replyTo), timeout)
        .thenApply(WebhookLedger.DeadLetterPage::letters);
  }

  @Override
  public CompletionStage<WebhookLedger.Reply> redelivered(String subscription, List<Long> numbers, Instant at) {
    return ShardedAsk.<WebhookLedger.Command, WebhookLedger.Reply>ask(ledger(subscription),
        replyTo -> new WebhookLedger.Redelivered(numbers, at, replyTo), timeout, timeout.multipliedBy(3));
  }

  @Override
  public CompletionStage<WebhookLedger.Reply> replayGaveUp(String subscription, List<Long> numbers) {
    return WebhookLedger.replayGaveUp(ledger(subscription), numbers, mustArrive);
  }

  private EntityRef<WebhookLedger.Command> ledger(String subscription) {
    return sharding.entityRefFor(WebhookLedger.ENTITY_KEY, subscription);
  }

  /** Every {@code wake-every}, wakes the worker of each webhook subscription that has not ended. */
  public void startWaking(ActorSystem<?> system) {
    system.scheduler().scheduleAtFixedRate(settings.wakeEvery(), settings.wakeEvery(), () -> {
      Catalog catalog = view.catalog();
      Instant now = clock.instant();
      catalog.webhooks().forEach(endpoint -> {
        boolean ended = catalog.subscription(endpoint.subscription()).map(s -> s.endedAt(now)).orElse(true);
        if (!ended) {
          wake(endpoint.subscription());
        }
      });
    }, system.executionContext());
  }

  /**
   * Wakes the subscription's worker now (after its endpoint was created or changed). Told once: a
   * wake lost in a hand-off or with a dying node is made up by the next of {@link #startWaking}'s,
   * which every node sends every {@code wake-every}.
   */
  public void wake(String subscription) {
    sharding.entityRefFor(WebhookWorker.ENTITY_KEY, subscription).tell(new WebhookWorker.Wake(subscription));
  }

  @Override
  public void circuitOpened(String subscription, String url) {
    announce(subscription, "tollgate.webhook.circuit_opened", url, "", "failures in a row opened the circuit; "
        + "nothing is sent until it lets a request through after " + settings.breakerReset());
  }

  @Override
  public void circuitClosed(String subscription, String url) {
    announce(subscription, "tollgate.webhook.circuit_closed", url, "", "a request succeeded; delivery goes on");
  }

  @Override
  public void disable(String subscription, String url, String reason, String message) {
    writer.write(Platform.ACTOR, new CatalogCommand.DisableWebhookEndpoint(subscription, reason, message))
        .whenComplete((catalog, failure) -> {
          if (failure != null) {
            LOG.atWarn().addKeyValue("subscription", subscription).setCause(failure).log("could not disable a webhook");
          } else {
            announce(subscription, "tollgate.webhook.disabled", url, reason, message);
          }
        });
  }

  /**
   * Appends the event to the platform's webhooks topic, its subject the subscription's account
   * (whose plan filter lets only that account see it). The append is sent again until answered
   * (a shard moving, a node dying), and the partition stores the copies once: the event is made
   * once, so they share its {@code (source, id)}. Lost only if the partition refuses it or does
   * not answer past the failover wait: the attempt log and the endpoint's state say the same.
   */
  private void announce(String subscription, String type, String url, String reason, String message) {
    Catalog catalog = view.catalog();
    Optional<Catalog.Topic> topic = catalog.topic(Platform.WEBHOOKS_TOPIC);
    Optional<Catalog.Subscription> found = catalog.subscription(subscription);
    if (topic.isEmpty() || found.isEmpty()) {
      return;
    }
    String account = found.get().account();
    String data = MAPPER.createObjectNode().put("subscription", subscription).put("url", url).put("reason", reason)
        .put("message", message).toString();
    CloudEvent event = CloudEvent.newBuilder().setSpecVersion("1.0")
        .setId(subscription + "-" + type.substring(type.lastIndexOf('.') + 1) + "-" + clock.millis())
        .setSource(Platform.WEBHOOKS_SOURCE).setType(type)
        .putAttributes("subject", AttributeValue.newBuilder().setCeString(account).build())
        .putAttributes("partitionkey", AttributeValue.newBuilder().setCeString(account).build())
        .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
        .putAttributes("time", AttributeValue.newBuilder().setCeTimestamp(clock.instant().toString()).build())
        .setJsonData(data).build();
    int partition = Partitioner.partitionOf(event, topic.get().partitions());
    ShardedAsk.<TopicPartition.Command, TopicPartition.AppendResult>ask(
            sharding.entityRefFor(TopicPartition.ENTITY_KEY, new PartitionRef(Platform.WEBHOOKS_TOPIC, partition).entityId()),
            replyTo -> new TopicPartition.Append(List.of(event), replyTo), mustArrive)
        .whenComplete((result, failure) -> {
          if (failure != null) {
            LOG.atWarn().addKeyValue("subscription", subscription).addKeyValue("type", type).setCause(failure)
                .log("could not announce a webhook event");
          } else if (result instanceof TopicPartition.AppendFailed refused) {
            LOG.atWarn().addKeyValue("subscription", subscription).addKeyValue("type", type)
                .addKeyValue("rejection", refused.rejection()).log("the webhooks topic refused a webhook event");
          }
        });
  }

  private SecretBox box() {
    return settings.secrets().orElseThrow(() -> new Refusal("webhooks_unavailable", "this node has no webhook "
        + "secret key (tollgate.webhooks.secret-key), so it can neither store nor sign with a webhook secret; "
        + "the operator sets the same key on every node"));
  }

  private CompletionStage<Void> checked(URI target) {
    return CompletableFuture.runAsync(() -> targets.check(target), resolving);
  }
}
