package io.tollgate.broker.subscription;

import io.prometheus.metrics.core.metrics.Counter;
import io.tollgate.billing.PlanTerms;
import io.tollgate.billing.PlanTermsProto;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.billing.Quota;
import io.tollgate.billing.RateLimit;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.session.Credential;
import io.tollgate.broker.subscription.AckCommits.AckRequest;
import io.tollgate.broker.session.OpenSession;
import io.tollgate.broker.session.OpenSessions;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.filter.EventFilter;
import io.tollgate.protocols.redaction.Redaction;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.ThrottleMode;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One consumer's stream of a subscription, over a WebSocket or as a server-sent event stream:
 * reads every partition of the product's topics from the journal after the acknowledged cursor,
 * merges them (order is kept within a partition), holds back once a window of deliveries is
 * unacknowledged, sends events in batches when they come faster than one frame at a time, and
 * commits acks to the subscription entity in groups ({@link AckCommits}). Both edges share this pipeline and differ only in how frames are written and where
 * acks come from: a WebSocket consumer sends them on the socket, an event-stream consumer posts
 * them (they reach the session through the subscription entity, {@link SubscriptionEntity.AckOnSession})
 * and acknowledges on reconnecting what its {@code Last-Event-ID} names. A stream whose
 * connection stops taking its frames is aborted by the node's sweep ({@link StalledOutputs}); a
 * quiet one never is.
 */
public final class StreamSession {
  /** {@code maxMessageBytes}: the largest message a consumer may send (as UTF-8 when it is text). */
  /**
   * {@code attachAttemptTimeout}: an attach or an ack commit unanswered this long is sent again,
   * then every twice as long, until {@code failoverWait}: long enough to wait out the
   * downing of a dead node that held the subscription's entity, so that a consumer's first
   * reconnect after a node dies succeeds instead of timing out while the entity has no home.
   */
  /** {@code eventStreamKeepAlive}: an event stream with nothing to send sends a comment this often. */
  /**
   * {@code ackCommitMaxAcks}, {@code ackCommitInterval}: acks are committed to the subscription
   * in groups, when this many wait or this long after the first of them.
   */
  public record Settings(int window, int maxBatch, int maxMessageBytes, Duration askTimeout,
                         Duration attachAttemptTimeout, Duration failoverWait, Duration eventStreamKeepAlive,
                         Clock clock, PeriodScheme periods, int ackCommitMaxAcks, Duration ackCommitInterval) {}

  /** How an edge writes what a session sends. */
  public interface Frames<T> {
    T deliveries(List<Delivery> deliveries);

    T notice(String type, String code, String message);
  }

  /**
   * An attached session: what it sends; the sink of its consumer's own acks (a WebSocket's
   * frames; nothing for an event stream), to run once, which commits them together with the
   * acks that come from elsewhere; and how it is told things.
   */
  private record Attached<T>(Supplier<Source<T, NotUsed>> outbound, Supplier<Sink<AckRequest, NotUsed>> acks,
                             ActorRef<SubscriptionEntity.SessionSignal> signals) {}

  /** Signals wait here while the session is busy; acks from outside come this way too. */
  private static final int SIGNAL_BUFFER = 256;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final SharedTails tails;
  private final CatalogView view;
  private final OpenSessions sessions;
  private final Settings settings;
  private final Counter deliveredEvents;
  private final DeliveryObserver observer;
  private final StalledOutputs stalls;

  /** {@code stalls}: where streams whose connection stopped taking frames are found and aborted. */
  public StreamSession(ActorSystem<?> system, ClusterSharding sharding, SharedTails tails, CatalogView view,
                       OpenSessions sessions, StalledOutputs stalls, Settings settings, Counter deliveredEvents,
                       DeliveryObserver observer) {
    this.observer = observer;
    this.stalls = stalls;
    this.system = system;
    this.sharding = sharding;
    this.tails = tails;
    this.view = view;
    this.sessions = sessions;
    this.settings = settings;
    this.deliveredEvents = deliveredEvents;
  }

  /**
   * An attach is sent again after {@code attachAttemptTimeout}, then after twice as long, and then
   * at that pace: a copy sent while the shard still pointed at a dead node is lost, and the next
   * one, which the shard's new home answers, must not wait long behind it.
   */
  private Duration longestAttachAttempt() {
    return settings.attachAttemptTimeout().multipliedBy(2);
  }

  /**
   * How long a stream's handshake may take: the attach's wait for the subscription's entity, which
   * outlasts the downing of a dead node, and the asks before it. The HTTP edge keeps a stream's
   * request open this long, beyond its usual request timeout.
   */
  public Duration handshakeTimeout() {
    return settings.failoverWait().plus(settings.askTimeout());
  }

  /**
   * A WebSocket session's handler: the consumer's whole messages in, the session's frames out; and
   * what its connection calls when the consumer sends a message above {@code maxMessageBytes},
   * which ends the stream with {@code frame_too_large}.
   */
  public record MessageStream(Flow<WireMessage, WireMessage, NotUsed> handler, Runnable messageTooLarge) {}

  /**
   * Attaches to the subscription and returns the WebSocket handler of the new session,
   * registered in {@link OpenSessions}: when its credential is revoked or runs out, or it is
   * closed, it gets an error frame that says why and closes. It is registered before it attaches,
   * so that a stream beyond its account's or its address's connection limit is refused (a failed
   * stage, which refuses the upgrade) before it takes anything else. What comes in is whole
   * messages of at most {@code maxMessageBytes}: the connection reads and bounds them.
   */
  public CompletionStage<MessageStream> open(Catalog catalog, Catalog.Subscription subscription, StreamFormat format,
                                             Credential credential, String remoteAddress) {
    return attach(catalog, subscription, OpenSession.Kind.STREAM, format, credential, remoteAddress, LastEventId.none())
        // The handler's stages are built when the connection runs it, not before: Pekko HTTP keeps
        // the flow it is given for the connection's life, and a built pipeline is a blueprint of
        // tens of kilobytes that nothing needs once it runs.
        .thenApply(session -> new MessageStream(Flow.<WireMessage, WireMessage, NotUsed>fromMaterializer((materializer, attributes) -> {
          Sink<WireMessage, NotUsed> inbound = Flow.<WireMessage>create()
              .mapConcat(message -> ackIn(message, format, session.signals()).stream().toList())
              .to(session.acks().get());
          return Flow.fromSinkAndSourceCoupled(inbound, session.outbound().get().via(new OutputWatch<>(stalls)));
        }).mapMaterializedValue(started -> NotUsed.getInstance()),
            () -> session.signals().tell(new SubscriptionEntity.MessageTooLarge(settings.maxMessageBytes()))));
  }

  /**
   * Attaches to the subscription and returns the server-sent event stream of the new session,
   * registered in {@link OpenSessions} like a WebSocket stream and ended the same way, with a
   * last {@code error} event. {@code lastEventId} is what the consumer says it received last
   * (its {@code Last-Event-ID}): the events of that partition up to it are acknowledged, not sent
   * again. Its other acks are posted ({@link #ack}).
   */
  public CompletionStage<Source<ByteString, NotUsed>> openEvents(Catalog catalog, Catalog.Subscription subscription,
                                                                 Credential credential, String remoteAddress,
                                                                 LastEventId lastEventId) {
    EventStreamFormat format = new EventStreamFormat();
    return notPastTheEnd(lastEventId)
        .thenCompose(checked -> attach(catalog, subscription, OpenSession.Kind.EVENT_STREAM, format, credential,
            remoteAddress, lastEventId))
        .thenApply(session -> {
          Source.<AckRequest>empty().runWith(session.acks().get(), Materializer.matFromSystem(system));
          return session.outbound().get().keepAlive(settings.eventStreamKeepAlive(), format::keepAlive)
              .via(new OutputWatch<>(stalls));
        });
  }

  /**
   * What a consumer inside the broker reads and acks through: {@code outbound} is the session's
   * frames as {@code frames} writes them, {@code acks} takes the cursors it acknowledges (each
   * answered once committed, or refused) and is run once.
   */
  public record Feed<T>(Source<T, NotUsed> outbound, Sink<FeedAck, NotUsed> acks) {}

  /** An ack of {@code cursor} from a consumer inside the broker, and who hears its outcome. */
  public record FeedAck(String cursor, java.util.function.Consumer<SubscriptionEntity.AckAnswer> answer) {}

  /**
   * Attaches a consumer inside the broker, a webhook subscription's delivery worker, as a
   * session like a stream's: registered in {@link OpenSessions} (so a cancel, a pause or the node
   * going away ends it), reading, filtering, redacting and limiting exactly as a stream does, and
   * committing its acks through {@link AckCommits}, so an event it acknowledges is billed once.
   */
  public <T> CompletionStage<Feed<T>> openFeed(Catalog catalog, Catalog.Subscription subscription, Frames<T> frames,
                                               Credential credential, String remoteAddress) {
    return attach(catalog, subscription, OpenSession.Kind.WEBHOOK, frames, credential, remoteAddress, LastEventId.none())
        .thenApply(session -> new Feed<>(session.outbound().get(), Flow.<FeedAck>create()
            .map(ack -> new AckRequest(ack.cursor(), ack.answer()))
            .to(session.acks().get())));
  }

  /**
   * A {@code Last-Event-ID} past the end of its partition names nothing this subscription could
   * have delivered, and would hold that partition's events back forever: {@code unknown_cursor}.
   */
  private CompletionStage<Void> notPastTheEnd(LastEventId lastEventId) {
    if (lastEventId.cursor().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Cursor cursor = lastEventId.cursor().get();
    return sharding.entityRefFor(TopicPartition.ENTITY_KEY, cursor.partitionRef().entityId())
        .<AckPoint>ask(TopicPartition.GetEnd::new, settings.askTimeout())
        .thenAccept(end -> {
          if (cursor.isAfter(end.cursor())) {
            throw new Refusal("unknown_cursor", "Last-Event-ID " + cursor.encode() + " is past the end of its partition");
          }
        });
  }

  /**
   * A consumer's ack from outside its stream, through the subscription to the session that
   * delivered the event; answered once committed, or refused.
   */
  public CompletionStage<SubscriptionEntity.AckAnswer> ack(Catalog.Subscription subscription, Cursor cursor) {
    return sharding.entityRefFor(SubscriptionEntity.ENTITY_KEY, subscription.id())
        .<SubscriptionEntity.AckAnswer>ask(replyTo -> new SubscriptionEntity.AckOnSession(cursor, replyTo),
            settings.askTimeout());
  }

  /**
   * The shared part of every session: registers it (refused beyond the connection limits),
   * attaches to the subscription, and builds what it sends and where its acks go. A session whose
   * stream is not run within the ask timeout (a client gone before its answer began) gives its
   * place back.
   */
  private <T> CompletionStage<Attached<T>> attach(Catalog catalog, Catalog.Subscription subscription,
                                                  OpenSession.Kind kind, Frames<T> frames, Credential credential,
                                                  String remoteAddress, LastEventId lastEventId) {
    String sessionId = UUID.randomUUID().toString();
    EntityRef<SubscriptionEntity.Command> entity =
        sharding.entityRefFor(SubscriptionEntity.ENTITY_KEY, subscription.id());
    SessionInbox<SubscriptionEntity.SessionSignal> signalInbox = new SessionInbox<>(SIGNAL_BUFFER);
    try {
      sessions.register(sessionId, kind, subscription.account(), credential, subscription.id(),
          remoteAddress, ending -> signalInbox.offer(new SubscriptionEntity.Ended(ending.code(), ending.message())));
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    // Acks from elsewhere than the consumer's own connection: posted ones, through the
    // subscription's entity, and the one a Last-Event-ID implies.
    SessionInbox<AckRequest> otherAcks = new SessionInbox<>(SIGNAL_BUFFER);
    ActorRef<SubscriptionEntity.SessionSignal> signals = system.systemActorOf(
        Behaviors.receiveMessage(signal -> {
          if (signal instanceof SubscriptionEntity.AckRequested requested) {
            otherAcks.offer(new AckRequest(requested.cursor().encode(), requested.replyTo()::tell));
          } else {
            signalInbox.offer(signal);
          }
          return Behaviors.same();
        }), "session-" + sessionId, Props.empty());
    Runnable stopSignals = () -> system.classicSystem().stop(Adapter.toClassic(signals));
    // Attaching again with the same session id changes nothing, so an unanswered attach is sent again.
    return ShardedAsk.<SubscriptionEntity.Command, SubscriptionEntity.Attached>ask(entity,
            replyTo -> new SubscriptionEntity.Attach(sessionId, signals, subscription.start(), replyTo, false),
            settings.attachAttemptTimeout(), longestAttachAttempt(), settings.failoverWait())
        .whenComplete((attached, failure) -> {
          if (failure != null) {
            sessions.unregister(sessionId);
            stopSignals.run();
          }
        })
        .thenApply(attached -> {
          // After a seek, a Last-Event-ID names what came before it: the stream starts where the seek put it.
          LastEventId resumeAfter = attached.resumable() ? lastEventId : LastEventId.none();
          DeliveryTracker tracker = new DeliveryTracker();
          ActorRef<EntityWatch.Message> entityWatch = system.systemActorOf(EntityWatch.create(attached.entity(),
              () -> ShardedAsk.<SubscriptionEntity.Command, SubscriptionEntity.Attached>ask(entity,
                  replyTo -> new SubscriptionEntity.Attach(sessionId, signals, subscription.start(), replyTo, true),
                  settings.attachAttemptTimeout(), longestAttachAttempt(), settings.failoverWait()),
              () -> signals.tell(new SubscriptionEntity.Ended("timeout", "the subscription moved to another node and "
                  + "did not take this stream back in time; reconnect to resume after the last committed ack"))),
              "entity-watch-" + sessionId, Props.empty());
          Runnable stopActors = () -> {
            stopSignals.run();
            system.classicSystem().stop(Adapter.toClassic(entityWatch));
          };
          Supplier<Sink<AckRequest, NotUsed>> acks = () -> Flow.<AckRequest>create().merge(otherAcks.source())
              .to(AckCommits.sink(entity, tracker, signals, attached.acked(), new AckCommits.Grouping(
                  settings.ackCommitMaxAcks(), settings.ackCommitInterval(), settings.attachAttemptTimeout(),
                  settings.failoverWait()), () -> settings.periods().periodOf(settings.clock().instant()).id()));
          Catalog.Plan planEntry = catalog.plan(subscription.plan()).orElseThrow();
          PlanTerms plan = PlanTermsProto.fromProto(planEntry.name(), planEntry.terms());
          EventFilter planFilter = planFilterOf(planEntry, subscription);
          Redaction redaction = Redaction.parse(planEntry.terms().getRedactList());
          EventFilter ownFilter = subscription.filterJson().isEmpty()
              ? EventFilter.matchAll() : EventFilter.parse(subscription.filterJson());
          String subscriptionId = subscription.id();
          Runnable unwatchPlan = watchPlan(catalog, subscription, signals);
          AtomicBoolean ran = new AtomicBoolean();
          Supplier<Source<T, NotUsed>> outbound = () -> {
            Source<T, NotUsed> deliveries = withinPlan(
                deliveries(catalog, subscription, attached.acked(), signals)
                    .mapConcat(delivery -> seen(delivery, planFilter, redaction, ownFilter, subscriptionId)),
                    plan, attached, tracker, signals, subscriptionId)
                .via(new AckWindow(settings.window(), tracker))
                .filter(delivery -> {
                  LastEventId.Step step = resumeAfter.onDelivery(delivery.cursor());
                  step.ack().ifPresent(received -> otherAcks.offer(new AckRequest(received.encode(), answer -> { })));
                  return step.send();
                })
                .batch(settings.maxBatch(), first -> {
                  List<Delivery> batch = new ArrayList<>();
                  batch.add(first);
                  return batch;
                }, (batch, next) -> {
                  batch.add(next);
                  return batch;
                })
                .map(batch -> {
                  deliveredEvents.inc(batch.size());
                  observer.delivered(subscriptionId, batch, DeliveryObserver.bytesOf(batch));
                  return frames.deliveries(batch);
                });
            Source<T, NotUsed> control = signalInbox.source()
                .takeWhile(signal -> signal instanceof SubscriptionEntity.FrameRefused
                    || signal instanceof SubscriptionEntity.QuotaExhausted
                    || signal instanceof SubscriptionEntity.CursorExpired, true)
                .map(signal -> noticeFor(signal, frames));
            return deliveries.merge(control, true)
                .watchTermination((notUsed, done) -> {
                  ran.set(true);
                  done.whenComplete((ok, failure) -> {
                    unwatchPlan.run();
                    sessions.unregister(sessionId);
                    // Told once: a lost Detach leaves the entity a stopped session, which the next
                    // attach replaces and a move or passivation forgets; meanwhile a posted ack
                    // times out instead of answering no_open_stream. Nothing is billed or lost.
                    entity.tell(new SubscriptionEntity.Detach(sessionId));
                    otherAcks.close();
                    stopActors.run();
                  });
                  return NotUsed.getInstance();
                });
          };
          system.scheduler().scheduleOnce(settings.askTimeout(), () -> {
            if (!ran.get()) {
              unwatchPlan.run();
              sessions.unregister(sessionId);
              entity.tell(new SubscriptionEntity.Detach(sessionId));
              otherAcks.close();
              stopActors.run();
            }
          }, system.executionContext());
          return new Attached<>(outbound, acks, signals);
        });
  }

  /**
   * The plan's filter, bound to the subscribing account. It sees events as published; the
   * subscription's own filter sees them as redacted, so a consumer cannot learn a redacted value
   * from which events its filter lets through. Events either filter withholds are never
   * delivered, so never acknowledged and never billed.
   */
  private boolean passes(EventFilter filter, Delivery delivery, String subscription) {
    boolean passes = filter.matches(delivery.event());
    if (!passes) {
      observer.filtered(subscription);
    }
    return passes;
  }

  private Delivery redacted(Redaction redaction, Delivery delivery, String subscription) {
    Delivery seen = delivery.redactedBy(redaction);
    if (seen != delivery) {
      observer.redacted(subscription);
    }
    return seen;
  }

  /**
   * The delivery as the consumer may see it, or nothing: the plan's filter, then its redaction,
   * then the subscription's own filter. One stage for the three, since a stage costs an idle
   * stream memory for its whole life.
   */
  private List<Delivery> seen(Delivery delivery, EventFilter planFilter, Redaction redaction, EventFilter ownFilter,
                              String subscription) {
    if (!passes(planFilter, delivery, subscription)) {
      return List.of();
    }
    Delivery redacted = redacted(redaction, delivery, subscription);
    return passes(ownFilter, redacted, subscription) ? List.of(redacted) : List.of();
  }

  private static EventFilter planFilterOf(Catalog.Plan plan, Catalog.Subscription subscription) {
    String planFilter = plan.terms().getFilterJson();
    return planFilter.isEmpty() ? EventFilter.matchAll()
        : EventFilter.parse(planFilter).bind(Map.of("account", subscription.account()));
  }

  /**
   * Tells the session {@link SubscriptionEntity.PlanSwitched} (its {@code plan_changed} notice,
   * then the end) once this node's catalog shows the subscription on another plan than the one
   * the stream opened under. The subscription's entity also tells the session at once; this
   * watch of the catalog is what makes the notice certain, since that message can be lost (a
   * shard hand-over, a node that restarts). It looks once now, for a change made while the
   * stream opened, and then only when the catalog changes the subscription's plan: an idle
   * stream has no timer for it. Returns how to stop watching.
   */
  private Runnable watchPlan(Catalog catalog, Catalog.Subscription openedUnder,
                             ActorRef<SubscriptionEntity.SessionSignal> signals) {
    String plan = openedUnder.plan();
    Runnable look = () -> catalog.subscription(openedUnder.id()).map(Catalog.Subscription::plan)
        .filter(current -> !current.equals(plan))
        .ifPresent(current -> signals.tell(new SubscriptionEntity.PlanSwitched(current)));
    Runnable unwatch = view.watchPlan(openedUnder.id(), look);
    look.run();
    return unwatch;
  }

  /** The plan's limits: its period quota when it blocks, and its rate limit. */
  private Source<Delivery, NotUsed> withinPlan(Source<Delivery, NotUsed> deliveries, PlanTerms plan,
                                               SubscriptionEntity.Attached attached, DeliveryTracker tracker,
                                               ActorRef<SubscriptionEntity.SessionSignal> signals,
                                               String subscription) {
    Source<Delivery, NotUsed> limited = deliveries;
    if (plan.quota().isPresent() && plan.quota().get().onExceed() == Quota.OnExceed.BLOCK) {
      limited = limited.via(new QuotaGate(plan.quota().get().eventsPerPeriod(), settings.periods(), settings.clock(),
          attached.period(), attached.usedInPeriod(), tracker::unackedCount,
          period -> {
            observer.quotaBlocked(subscription);
            signals.tell(new SubscriptionEntity.QuotaExhausted(period.id(), period.end()));
          }));
    }
    if (plan.rateLimit().isPresent()) {
      RateLimit rate = plan.rateLimit().get();
      limited = limited.throttle((int) rate.eventsPerSecond(), Duration.ofSeconds(1), (int) rate.burst(),
          ThrottleMode.shaping());
    }
    return limited;
  }

  private static <T> T noticeFor(SubscriptionEntity.SessionSignal signal, Frames<T> format) {
    if (signal instanceof SubscriptionEntity.OutOfStep) {
      return format.notice("error", "resync", "another connection acknowledged further on this subscription; "
          + "reconnect to resume where it stands");
    }
    if (signal instanceof SubscriptionEntity.PlanSwitched switched) {
      return format.notice("plan", "plan_changed", "the subscription is now on plan " + switched.plan()
          + "; reconnect to continue after your last ack under its terms");
    }
    if (signal instanceof SubscriptionEntity.QuotaExhausted exhausted) {
      return format.notice("quota", "quota_exceeded", "the plan's quota for period " + exhausted.period()
          + " is used up; delivery resumes at " + exhausted.resumesAt());
    }
    if (signal instanceof SubscriptionEntity.CursorExpired expired) {
      return format.notice("retention", "cursor_expired", expired.message());
    }
    if (signal instanceof SubscriptionEntity.FrameRefused refused) {
      return format.notice("error", refused.code(), refused.message());
    }
    if (signal instanceof SubscriptionEntity.MessageTooLarge tooLarge) {
      return format.notice("error", "frame_too_large", "a message on this stream may have at most "
          + tooLarge.limit() + " bytes (a consumer sends only acks); the stream closes");
    }
    if (signal instanceof SubscriptionEntity.Ended ended) {
      return format.notice("error", ended.code(), ended.message());
    }
    return format.notice("error", "session_replaced", "another connection took over this subscription");
  }

  /**
   * The deliveries of every partition of the product's topics after the acknowledged cursors (none
   * yet: from the beginning), from the shared tails, merged by one stage. When a partition's first
   * delivery is not the next after its cursor, retention deleted those between: the consumer is
   * told ({@code cursor_expired}) and the stream goes on from the oldest event kept.
   */
  private Source<Delivery, NotUsed> deliveries(Catalog catalog, Catalog.Subscription subscription,
                                               Map<PartitionRef, AckPoint> acked,
                                               ActorRef<SubscriptionEntity.SessionSignal> signals) {
    Catalog.Product product = catalog.product(subscription.product()).orElseThrow();
    List<SharedTails.Start> starts = new ArrayList<>();
    Map<PartitionRef, Long> expectedOffsets = new HashMap<>();
    for (PartitionRef ref : catalog.partitionsOf(product)) {
      AckPoint point = acked.get(ref);
      starts.add(new SharedTails.Start(ref, point == null ? null : point.cursor()));
      expectedOffsets.put(ref, point == null ? 0 : point.offset() + 1);
    }
    return tails.after(starts).map(delivery -> {
      Long expectedOffset = expectedOffsets.isEmpty() ? null : expectedOffsets.remove(delivery.cursor().partitionRef());
      if (expectedOffset != null && delivery.offset() > expectedOffset) {
        signals.tell(new SubscriptionEntity.CursorExpired(delivery.cursor().partitionRef() + ": the events from offset "
            + expectedOffset + " to " + (delivery.offset() - 1) + " were deleted by the topic's"
            + " retention before this subscription acknowledged them; delivery goes on at offset "
            + delivery.offset() + ", the oldest kept"));
      }
      return delivery;
    });
  }

  /** A WebSocket frame as the ack it is; a frame that is not one gets an error frame and the session goes on. */
  private static Optional<AckRequest> ackIn(WireMessage message, StreamFormat format,
                                            ActorRef<SubscriptionEntity.SessionSignal> signals) {
    try {
      return Optional.of(new AckRequest(format.ackedCursor(message), answer -> {
        if (!answer.isCommitted() && !answer.code().equals("resync") && !answer.code().equals("timeout")) {
          signals.tell(new SubscriptionEntity.FrameRefused(answer.code(), answer.message()));
        }
      }));
    } catch (StreamFormat.FrameException refused) {
      signals.tell(new SubscriptionEntity.FrameRefused(refused.code(), refused.getMessage()));
      return Optional.empty();
    }
  }

}
