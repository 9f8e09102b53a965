package io.tollgate.broker.subscription;

import io.prometheus.metrics.core.metrics.Counter;
import io.tollgate.billing.PlanTerms;
import io.tollgate.billing.PlanTermsProto;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.billing.Quota;
import io.tollgate.billing.RateLimit;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.session.Credential;
import io.tollgate.broker.subscription.AckCommits.AckRequest;
import io.tollgate.broker.session.OpenSession;
import io.tollgate.broker.session.OpenSessions;
import io.tollgate.broker.topic.LiveTail;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.filter.EventFilter;
import io.tollgate.protocols.redaction.Redaction;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.ThrottleMode;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * One consumer's stream of a subscription, over a WebSocket or as a server-sent event stream:
 * reads every partition of the product's topics from the journal after the acknowledged cursor,
 * merges them (order is kept within a partition), holds back once a window of deliveries is
 * unacknowledged, sends events in batches when they come faster than one frame at a time, and
 * commits acks to the subscription entity, coalescing those that arrive while a commit is in
 * flight. Both edges share this pipeline and differ only in how frames are written and where
 * acks come from: a WebSocket consumer sends them on the socket, an event-stream consumer posts
 * them (they reach the session through the subscription entity, {@link SubscriptionEntity.AckOnSession})
 * and acknowledges on reconnecting what its {@code Last-Event-ID} names.
 */
public final class StreamSession {
  /** {@code maxMessageBytes}: the largest message a consumer may send (as UTF-8 when it is text). */
  /** {@code attachAttemptTimeout}: an attach unanswered this long is sent again, until {@code askTimeout}. */
  /** {@code eventStreamKeepAlive}: an event stream with nothing to send sends a comment this often. */
  public record Settings(int window, int maxBatch, int maxMessageBytes, Duration askTimeout,
                         Duration attachAttemptTimeout, Duration eventStreamKeepAlive, Clock clock,
                         PeriodScheme periods) {}

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
  private record Attached<T>(Source<T, NotUsed> outbound, Sink<AckRequest, NotUsed> acks,
                             ActorRef<SubscriptionEntity.SessionSignal> signals) {}

  private static final Duration PLAN_CHECK_EVERY = Duration.ofSeconds(1);
  /** Signals wait here while the session is busy; acks from outside come this way too. */
  private static final int SIGNAL_BUFFER = 256;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final LiveTail journal;
  private final OpenSessions sessions;
  private final Settings settings;
  private final Counter deliveredEvents;

  public StreamSession(ActorSystem<?> system, ClusterSharding sharding, LiveTail journal,
                       OpenSessions sessions, Settings settings, Counter deliveredEvents) {
    this.system = system;
    this.sharding = sharding;
    this.journal = journal;
    this.sessions = sessions;
    this.settings = settings;
    this.deliveredEvents = deliveredEvents;
  }

  /**
   * Attaches to the subscription and returns the WebSocket handler flow of the new session,
   * registered in {@link OpenSessions}: when its credential is revoked or runs out, or it is
   * closed, it gets an error frame that says why and closes. It is registered before it attaches,
   * so that a stream beyond its account's or its address's connection limit is refused (a failed
   * stage, which refuses the upgrade) before it takes anything else.
   */
  public CompletionStage<Flow<Message, Message, NotUsed>> open(Catalog catalog, Catalog.Subscription subscription,
                                                               StreamFormat format, Credential credential,
                                                               String remoteAddress) {
    return attach(catalog, subscription, OpenSession.Kind.STREAM, format, credential, remoteAddress, LastEventId.none())
        .thenApply(session -> {
          Sink<Message, NotUsed> inbound = Flow.<Message>create()
              .mapAsync(1, message -> whole(message, session.signals()))
              .mapConcat(whole -> whole.stream().toList())
              .mapConcat(message -> ackIn(message, format, session.signals()).stream().toList())
              .to(session.acks());
          return Flow.fromSinkAndSourceCoupled(inbound, session.outbound());
        });
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
          Source.<AckRequest>empty().runWith(session.acks(), Materializer.matFromSystem(system));
          return session.outbound().keepAlive(settings.eventStreamKeepAlive(), format::keepAlive);
        });
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
    Pair<ActorRef<SubscriptionEntity.SessionSignal>, Source<SubscriptionEntity.SessionSignal, NotUsed>> signals =
        ActorSource.<SubscriptionEntity.SessionSignal>actorRef(
                signal -> false, signal -> Optional.empty(), SIGNAL_BUFFER, OverflowStrategy.dropHead())
            .preMaterialize(system);
    try {
      sessions.register(sessionId, kind, subscription.account(), credential, subscription.id(),
          remoteAddress, ending -> signals.first().tell(new SubscriptionEntity.Ended(ending.code(), ending.message())));
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    // Attaching again with the same session id changes nothing, so an unanswered attach is sent again.
    return ShardedAsk.<SubscriptionEntity.Command, SubscriptionEntity.Attached>ask(entity,
            replyTo -> new SubscriptionEntity.Attach(sessionId, signals.first(), subscription.start(), replyTo),
            settings.attachAttemptTimeout(), settings.askTimeout())
        .whenComplete((attached, failure) -> {
          if (failure != null) {
            sessions.unregister(sessionId);
          }
        })
        .thenApply(attached -> {
          DeliveryTracker tracker = new DeliveryTracker();
          // Acks from elsewhere than the consumer's own connection: posted ones, through the
          // subscription's entity, and the one a Last-Event-ID implies.
          Pair<ActorRef<AckRequest>, Source<AckRequest, NotUsed>> otherAcks =
              ActorSource.<AckRequest>actorRef(request -> request == AckCommits.NO_MORE_ACKS,
                      request -> Optional.empty(), SIGNAL_BUFFER, OverflowStrategy.dropHead())
                  .preMaterialize(system);
          Sink<AckRequest, NotUsed> acks = Flow.<AckRequest>create().merge(otherAcks.second())
              .to(AckCommits.sink(entity, tracker, signals.first(), attached.acked(), settings.askTimeout()));
          Catalog.Plan planEntry = catalog.plan(subscription.plan()).orElseThrow();
          PlanTerms plan = PlanTermsProto.fromProto(planEntry.name(), planEntry.terms());
          EventFilter planFilter = planFilterOf(planEntry, subscription);
          Redaction redaction = Redaction.parse(planEntry.terms().getRedactList());
          EventFilter ownFilter = subscription.filterJson().isEmpty()
              ? EventFilter.matchAll() : EventFilter.parse(subscription.filterJson());
          Source<T, NotUsed> deliveries = withinPlan(deliveries(catalog, subscription, attached.acked(), signals.first())
                  .filter(delivery -> planFilter.matches(delivery.event()))
                  .map(delivery -> delivery.withEvent(redaction.apply(delivery.event())))
                  .filter(delivery -> ownFilter.matches(delivery.event())), plan, attached, tracker, signals.first())
              .via(new AckWindow(settings.window(), tracker))
              .filter(delivery -> {
                LastEventId.Step step = lastEventId.onDelivery(delivery.cursor());
                step.ack().ifPresent(received -> otherAcks.first().tell(new AckRequest(received.encode(), answer -> { })));
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
                return frames.deliveries(batch);
              });
          Source<T, NotUsed> control = signals.second()
              .divertTo(Flow.<SubscriptionEntity.SessionSignal>create()
                      .map(signal -> (SubscriptionEntity.AckRequested) signal)
                      .map(requested -> new AckRequest(requested.cursor().encode(), requested.replyTo()::tell))
                      .to(Sink.foreach(otherAcks.first()::tell)),
                  signal -> signal instanceof SubscriptionEntity.AckRequested)
              .takeWhile(signal -> signal instanceof SubscriptionEntity.FrameRefused
                  || signal instanceof SubscriptionEntity.QuotaExhausted
                  || signal instanceof SubscriptionEntity.CursorExpired, true)
              .map(signal -> noticeFor(signal, frames));
          control = control.merge(planWatch(catalog, subscription, frames), true);
          AtomicBoolean ran = new AtomicBoolean();
          Source<T, NotUsed> outbound = deliveries.merge(control, true)
              .watchTermination((notUsed, done) -> {
                ran.set(true);
                done.whenComplete((ok, failure) -> {
                  sessions.unregister(sessionId);
                  entity.tell(new SubscriptionEntity.Detach(sessionId));
                  otherAcks.first().tell(AckCommits.NO_MORE_ACKS);
                });
                return NotUsed.getInstance();
              });
          system.scheduler().scheduleOnce(settings.askTimeout(), () -> {
            if (!ran.get()) {
              sessions.unregister(sessionId);
              entity.tell(new SubscriptionEntity.Detach(sessionId));
              otherAcks.first().tell(AckCommits.NO_MORE_ACKS);
            }
          }, system.executionContext());
          return new Attached<>(outbound, acks, signals.first());
        });
  }

  /**
   * The plan's filter, bound to the subscribing account. It sees events as published; the
   * subscription's own filter sees them as redacted, so a consumer cannot learn a redacted value
   * from which events its filter lets through. Events either filter withholds are never
   * delivered, so never acknowledged and never billed.
   */
  private static EventFilter planFilterOf(Catalog.Plan plan, Catalog.Subscription subscription) {
    String planFilter = plan.terms().getFilterJson();
    return planFilter.isEmpty() ? EventFilter.matchAll()
        : EventFilter.parse(planFilter).bind(Map.of("account", subscription.account()));
  }

  /**
   * The {@code plan_changed} notice once this node's catalog shows the subscription on another
   * plan than the one the stream opened under, then the end. The subscription's entity also
   * tells the session at once; this look at the catalog every second is what makes the notice
   * certain, since that message can be lost (a shard hand-over, a node that restarts).
   */
  private static <T> Source<T, NotUsed> planWatch(Catalog catalog, Catalog.Subscription openedUnder, Frames<T> format) {
    String plan = openedUnder.plan();
    return Source.tick(PLAN_CHECK_EVERY, PLAN_CHECK_EVERY, openedUnder.id())
        .mapMaterializedValue(tick -> NotUsed.getInstance())
        .map(id -> catalog.subscription(id).map(Catalog.Subscription::plan).orElse(plan))
        .filter(current -> !current.equals(plan))
        .take(1)
        .map(current -> noticeFor(new SubscriptionEntity.PlanSwitched(current), format));
  }

  /** The plan's limits: its period quota when it blocks, and its rate limit. */
  private Source<Delivery, NotUsed> withinPlan(Source<Delivery, NotUsed> deliveries, PlanTerms plan,
                                               SubscriptionEntity.Attached attached, DeliveryTracker tracker,
                                               ActorRef<SubscriptionEntity.SessionSignal> signals) {
    Source<Delivery, NotUsed> limited = deliveries;
    if (plan.quota().isPresent() && plan.quota().get().onExceed() == Quota.OnExceed.BLOCK) {
      limited = limited.via(new QuotaGate(plan.quota().get().eventsPerPeriod(), settings.periods(), settings.clock(),
          attached.period(), attached.usedInPeriod(), tracker::unackedCount,
          period -> signals.tell(new SubscriptionEntity.QuotaExhausted(period.id(), period.end()))));
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

  private Source<Delivery, NotUsed> deliveries(Catalog catalog, Catalog.Subscription subscription,
                                               Map<PartitionRef, AckPoint> acked,
                                               ActorRef<SubscriptionEntity.SessionSignal> signals) {
    Catalog.Product product = catalog.product(subscription.product()).orElseThrow();
    List<Source<Delivery, NotUsed>> partitions = new ArrayList<>();
    for (PartitionRef ref : catalog.partitionsOf(product)) {
      partitions.add(partitionAfter(ref, acked.get(ref), signals));
    }
    return Source.from(partitions).flatMapMerge(Math.max(1, partitions.size()), source -> source);
  }

  /**
   * The partition's events after {@code acked} (none yet: from the beginning). When the first one
   * read is not the next after it, retention deleted those between: the consumer is told
   * ({@code cursor_expired}) and the stream goes on from the oldest event kept.
   */
  private Source<Delivery, NotUsed> partitionAfter(PartitionRef partition, AckPoint acked,
                                                   ActorRef<SubscriptionEntity.SessionSignal> signals) {
    Cursor after = acked == null ? null : acked.cursor();
    long expectedOffset = acked == null ? 0 : acked.offset() + 1;
    long fromSequence = after == null ? 1 : after.index() == Integer.MAX_VALUE ? after.sequence() + 1 : after.sequence();
    AtomicBoolean first = new AtomicBoolean(true);
    return journal.from(partition.persistenceId(), fromSequence)
        .mapConcat(envelope -> {
          List<Delivery> deliveries = unpack(partition, envelope, after);
          if (first.getAndSet(false) && !deliveries.isEmpty() && deliveries.get(0).offset() > expectedOffset) {
            signals.tell(new SubscriptionEntity.CursorExpired(partition + ": the events from offset "
                + expectedOffset + " to " + (deliveries.get(0).offset() - 1) + " were deleted by the topic's"
                + " retention before this subscription acknowledged them; delivery goes on at offset "
                + deliveries.get(0).offset() + ", the oldest kept"));
          }
          return deliveries;
        });
  }

  private static List<Delivery> unpack(PartitionRef partition, EventEnvelope envelope, Cursor after) {
    EventsAppended appended = (EventsAppended) envelope.event();
    long sequence = envelope.sequenceNr();
    int firstIndex = after != null && after.sequence() == sequence ? after.index() + 1 : 0;
    List<CloudEvent> events = appended.getEventsList();
    List<Delivery> deliveries = new ArrayList<>(Math.max(0, events.size() - firstIndex));
    for (int index = firstIndex; index < events.size(); index++) {
      deliveries.add(new Delivery(new Cursor(partition.topic(), partition.partition(), sequence, index),
          appended.getFirstOffset() + index, events.get(index)));
    }
    return deliveries;
  }

  /**
   * WebSocket messages may arrive in fragments; an ack is read whole, but never more than the
   * limit is held. A larger message ends the session as soon as it passes the limit, even if it
   * never ends; its remaining fragments are read and dropped until the stream closes, since
   * leaving a streamed message unread would stall the connection before the notice is sent.
   */
  private CompletionStage<Optional<Message>> whole(Message message, ActorRef<SubscriptionEntity.SessionSignal> signals) {
    int limit = settings.maxMessageBytes();
    Source<ByteString, ?> parts = message.isText()
        ? message.asTextMessage().getStreamedText().map(ByteString::fromString)
        : message.asBinaryMessage().getStreamedData();
    return parts.completionTimeout(settings.askTimeout())
        .runWith(Sink.fold(Optional.of(ByteString.emptyByteString()), (read, part) -> {
          if (read.isEmpty()) {
            return read;
          }
          if (read.get().size() + part.size() > limit) {
            signals.tell(new SubscriptionEntity.MessageTooLarge(limit));
            return Optional.empty();
          }
          return Optional.of(read.get().concat(part));
        }), Materializer.matFromSystem(system))
        .thenApply(read -> read.map(bytes -> message.isText()
            ? TextMessage.create(bytes.utf8String()) : BinaryMessage.create(bytes)));
  }

  /** A WebSocket frame as the ack it is; a frame that is not one gets an error frame and the session goes on. */
  private static Optional<AckRequest> ackIn(Message message, StreamFormat format,
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
