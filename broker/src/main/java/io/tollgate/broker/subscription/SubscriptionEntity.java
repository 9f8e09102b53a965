package io.tollgate.broker.subscription;

import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.serialization.codec.ClusterMessage;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.PartitionCursor;
import io.tollgate.protocols.v1.journal.SubscriptionSnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A subscription: the durable ack point of each partition it reads (everything up to and
 * including it is acknowledged), the usage those acks add up to per billing period, and the
 * one stream session that may deliver it. Its journal is the usage journal: each advance
 * records the events it acknowledged and their billed bytes, counted by the delivering session per ack range and
 * accepted only when a range starts where the partition stands, so a redelivery or a repeated ack
 * never counts twice and nothing acknowledged goes uncounted. A new session replaces the
 * previous one, so a consumer that reconnects takes over at once.
 */
public final class SubscriptionEntity
    extends EventSourcedBehaviorWithEnforcedReplies<SubscriptionEntity.Command, CursorsAdvanced, SubscriptionEntity.State> {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Subscription");

  public sealed interface Command extends ClusterMessage {}

  /**
   * A session wants to deliver. {@code start} is where the subscription begins in partitions it
   * never acked (empty: at the beginning); the reply says where to resume. {@code rejoin}: the
   * session is already running and attaches again because the entity it attached to stopped (its
   * shard moved, its node died, it was passivated); it takes its place back only if no other
   * session took it meanwhile, else it is told {@link SessionReplaced}.
   */
  public record Attach(String sessionId, ActorRef<SessionSignal> session, List<AckPoint> start,
                       ActorRef<Attached> replyTo, boolean rejoin) implements Command {}

  /**
   * Where the subscription stands: its ack points and what it used in the current period.
   * {@code resumable} is false after a move of its cursor until an ack is committed again: a
   * {@code Last-Event-ID} then names what was received before the move (a browser's EventSource
   * sends it when it reconnects by itself), and acknowledging up to it would undo the move.
   * {@code entity} is the entity that answered (absent from a node of an earlier release): a
   * session watches it, and attaches again wherever the entity runs next once it stops.
   */
  public record Attached(Map<PartitionRef, AckPoint> acked, String period, long usedInPeriod, boolean resumable,
                         Optional<ActorRef<Command>> entity) implements ClusterMessage {}

  public record Detach(String sessionId) implements Command {}

  /** The subscription moved to another plan: the running session ends so the next one applies it. */
  public record PlanChanged(String plan) implements Command {}

  /**
   * Sets these partitions' ack points, back or forward (a seek). The open session ends with
   * {@code cursor_moved}; the reply says where the subscription stands now.
   */
  public record MoveCursors(List<AckPoint> to, ActorRef<Attached> replyTo) implements Command {}

  /** Asks where the subscription stands without attaching. */
  public record GetAcked(ActorRef<Attached> replyTo) implements Command {}

  /**
   * A consumer acks {@code cursor} from outside its stream (an event-stream consumer's POST). A
   * cursor the subscription already stands at or past is answered at once; any other goes to
   * the session that delivered it, which answers once the ack is committed (or refused).
   */
  public record AckOnSession(Cursor cursor, ActorRef<AckAnswer> replyTo) implements Command {}

  /** An {@link AckOnSession}'s outcome: {@code code} is empty when the ack is committed. */
  public record AckAnswer(String code, String message) implements ClusterMessage {
    public static AckAnswer committed() {
      return new AckAnswer("", "");
    }

    public static AckAnswer refused(String code, String message) {
      return new AckAnswer(code, message);
    }

    public boolean isCommitted() {
      return code.isEmpty();
    }
  }

  /** What the entity or the node tells a running stream session. */
  public sealed interface SessionSignal extends ClusterMessage {}

  /** A newer session of the same subscription took over. */
  public record SessionReplaced() implements SessionSignal {}

  /**
   * The session ends, and its last frame says why: its key was revoked or expired, its token
   * expired, it was closed, or the node is going away (see {@code session.OpenSessions}).
   */
  public record Ended(String code, String message) implements SessionSignal {}

  /** A frame from the consumer was refused; the session goes on. */
  public record FrameRefused(String code, String message) implements SessionSignal {}

  /** The consumer sent a message larger than {@code limit} bytes: the session ends. */
  public record MessageTooLarge(int limit) implements SessionSignal {}

  /** This session's acks no longer start where the subscription stands; the consumer reconnects. */
  public record OutOfStep() implements SessionSignal {}

  /** The subscription's plan changed; the consumer reconnects to receive under the new plan. */
  public record PlanSwitched(String plan) implements SessionSignal {}

  /** The plan's quota for the period is used up; delivery resumes when the next period starts. */
  public record QuotaExhausted(String period, java.time.Instant resumesAt) implements SessionSignal {}

  /** Retention deleted events this session's position had not reached; the stream goes on after them. */
  public record CursorExpired(String message) implements SessionSignal {}

  /** An ack from outside the stream for this session to commit, like one from its own consumer. */
  public record AckRequested(Cursor cursor, ActorRef<AckAnswer> replyTo) implements SessionSignal {}

  /**
   * A session's acks since its previous ones, per partition. Each range counts only if it starts
   * where the subscription stands; the reply says whether every range did.
   */
  public record AdvanceCursors(List<AckRange> ranges, ActorRef<Committed> replyTo) implements Command {}

  /**
   * Acks of one partition from {@code fromOffset} (exclusive) to {@code to}, covering {@code units}
   * delivered events of {@code bytes} billed bytes ({@link Delivery#billedBytes}), acknowledged in
   * billing period {@code period} (empty: the period when the subscription commits them, as a node
   * from before periods were sent meant).
   */
  public record AckRange(long fromOffset, AckPoint to, long units, long bytes, String period) {
    /** {@code later} continues this range in the same period. */
    public AckRange merge(AckRange later) {
      return new AckRange(fromOffset, later.to(), units + later.units(), bytes + later.bytes(), period);
    }
  }

  /**
   * Bills {@code units} replayed webhook dead letters that a 2xx acknowledged at {@code atMillis},
   * in that moment's period, once per {@code redelivery}: the webhook ledger numbers its
   * redeliveries rising and sends them in order, so one at or below what was billed is answered
   * at once. No cursor moves: the cursor moved past these events when they were dead-lettered.
   */
  public record BillRedelivered(long redelivery, long units, long bytes, long atMillis, ActorRef<Committed> replyTo)
      implements Command {}

  /** {@code inSync} false: a range did not start where the subscription stood; the session must reattach. */
  public record Committed(boolean inSync) implements ClusterMessage {}

  /**
   * The ack point per partition (partitions never acked are absent), usage per period, and
   * whether an ack was committed since the cursor was last moved (see {@link Attached#resumable}),
   * and the highest webhook redelivery billed ({@link BillRedelivered}).
   */
  public record State(Map<PartitionRef, AckPoint> acked, Map<String, Long> usageByPeriod, boolean resumable,
                      long redeliveredThrough) {
    static State empty() {
      return new State(new HashMap<>(), new HashMap<>(), true, 0);
    }

    long usedIn(String period) {
      return usageByPeriod.getOrDefault(period, 0L);
    }
  }

  /**
   * Told after every write to the subscription's journal (usage, and the cursors an attach starts
   * or a move sets), so the account's billing reads it soon and the analytics read side reads it
   * at its next tick; a write without usage wakes billing for nothing, which costs one empty read.
   */
  public interface UsageListener {
    void usageRecorded(String subscriptionId);
  }

  /**
   * {@code snapshotEvery}: a snapshot every so many entries (two are kept); the journal trimmer
   * deletes entries only up to the latest one (tollgate.retention.snapshot-every).
   */
  public static void initSharding(ClusterSharding sharding, Clock clock, PeriodScheme periods, UsageListener usage,
                                  int snapshotEvery) {
    sharding.init(Entity.of(ENTITY_KEY, context -> create(context.getEntityId(), clock, periods, usage, snapshotEvery)));
  }

  static Behavior<Command> create(String subscriptionId, Clock clock, PeriodScheme periods, UsageListener usage,
                                  int snapshotEvery) {
    return Behaviors.setup(context ->
        new SubscriptionEntity(subscriptionId, clock, periods, usage, snapshotEvery, context.getSelf()));
  }

  public static String persistenceId(String subscriptionId) {
    return "Subscription|" + subscriptionId;
  }

  private final String subscriptionId;
  private final Clock clock;
  private final PeriodScheme periods;
  private final UsageListener usage;
  private final int snapshotEvery;
  private final ActorRef<Command> self;
  private String sessionId;
  private ActorRef<SessionSignal> session;

  private SubscriptionEntity(String subscriptionId, Clock clock, PeriodScheme periods, UsageListener usage,
                             int snapshotEvery, ActorRef<Command> self) {
    super(PersistenceId.ofUniqueId(persistenceId(subscriptionId)));
    this.self = self;
    this.subscriptionId = subscriptionId;
    this.clock = clock;
    this.periods = periods;
    this.usage = usage;
    this.snapshotEvery = snapshotEvery;
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, CursorsAdvanced, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Attach.class, this::onAttach)
        .onCommand(Detach.class, this::onDetach)
        .onCommand(AdvanceCursors.class, this::onAdvance)
        .onCommand(GetAcked.class, (state, get) -> Effect().reply(get.replyTo(), standing(state)))
        .onCommand(MoveCursors.class, this::onMove)
        .onCommand(AckOnSession.class, this::onAckOnSession)
        .onCommand(BillRedelivered.class, this::onBillRedelivered)
        .onCommand(PlanChanged.class, (state, changed) -> {
          if (session != null) {
            session.tell(new PlanSwitched(changed.plan()));
          }
          return Effect().noReply();
        })
        .build();
  }

  private Attached standing(State state) {
    Period period = periods.periodOf(clock.instant());
    return new Attached(Map.copyOf(state.acked()), period.id(), state.usedIn(period.id()), state.resumable(),
        Optional.of(self));
  }

  private ReplyEffect<CursorsAdvanced, State> onAttach(State state, Attach attach) {
    boolean another = session != null && !attach.sessionId().equals(sessionId);
    if (another && attach.rejoin()) {
      attach.session().tell(new SessionReplaced());
      return Effect().reply(attach.replyTo(), standing(state));
    }
    if (another) {
      session.tell(new SessionReplaced());
    }
    sessionId = attach.sessionId();
    session = attach.session();
    List<PartitionCursor> unstarted = new ArrayList<>();
    for (AckPoint start : attach.start()) {
      if (!state.acked().containsKey(start.partition())) {
        unstarted.add(start.toProto());
      }
    }
    if (unstarted.isEmpty()) {
      return Effect().reply(attach.replyTo(), standing(state));
    }
    return Effect().persist(CursorsAdvanced.newBuilder().addAllCursors(unstarted).setAtMillis(clock.millis()).build())
        .thenRun(newState -> usage.usageRecorded(subscriptionId))
        .thenReply(attach.replyTo(), this::standing);
  }

  /** No units: what a move skips is not billed, and what it brings back is billed when acknowledged again. */
  private ReplyEffect<CursorsAdvanced, State> onMove(State state, MoveCursors move) {
    CursorsAdvanced moved = CursorsAdvanced.newBuilder().addAllCursors(move.to().stream().map(AckPoint::toProto).toList())
        .setMoved(true).setAtMillis(clock.millis()).build();
    return Effect().persist(moved)
        .thenRun(newState -> usage.usageRecorded(subscriptionId))
        .thenRun(newState -> {
          if (session != null) {
            session.tell(new Ended("cursor_moved", "the subscription's cursor was moved; reconnect to receive from "
                + "its new position"));
            sessionId = null;
            session = null;
          }
        })
        .thenReply(move.replyTo(), this::standing);
  }

  private ReplyEffect<CursorsAdvanced, State> onBillRedelivered(State state, BillRedelivered bill) {
    if (bill.redelivery() <= state.redeliveredThrough()) {
      return Effect().reply(bill.replyTo(), new Committed(true));
    }
    CursorsAdvanced billed = CursorsAdvanced.newBuilder().setUnits(bill.units()).setBytes(bill.bytes()).setRedelivery(bill.redelivery())
        .setPeriod(periods.periodOf(java.time.Instant.ofEpochMilli(bill.atMillis())).id())
        .setAtMillis(bill.atMillis()).build();
    return Effect().persist(billed)
        .thenRun(newState -> usage.usageRecorded(subscriptionId))
        .thenReply(bill.replyTo(), newState -> new Committed(true));
  }

  private ReplyEffect<CursorsAdvanced, State> onAckOnSession(State state, AckOnSession ack) {
    AckPoint acked = state.acked().get(ack.cursor().partitionRef());
    Cursor standsAt = acked == null ? AckPoint.beginningOf(ack.cursor().partitionRef()).cursor() : acked.cursor();
    if (!ack.cursor().isAfter(standsAt)) {
      return Effect().reply(ack.replyTo(), AckAnswer.committed());
    }
    if (session == null) {
      return Effect().reply(ack.replyTo(), AckAnswer.refused("no_open_stream", "no stream of this subscription is "
          + "open, so nothing it delivered can be acknowledged; reconnect with Last-Event-ID to acknowledge and resume"));
    }
    session.tell(new AckRequested(ack.cursor(), ack.replyTo()));
    return Effect().noReply();
  }

  private ReplyEffect<CursorsAdvanced, State> onDetach(State state, Detach detach) {
    if (detach.sessionId().equals(sessionId)) {
      sessionId = null;
      session = null;
    }
    return Effect().noReply();
  }

  /**
   * A range counts when it starts exactly where the partition stands: then its units are the
   * events this session delivered and the consumer acknowledged since, which leaves out the
   * events a filter withheld. A range from anywhere else (a replaced session racing a newer
   * one) is not counted, and its events are delivered again after the session reattaches. Ranges
   * are taken in order, and each period's are one {@code CursorsAdvanced} stamped with the period
   * of the acks, so an ack just before a period ends is billed in that period even when its commit
   * is written in the next; all of them are one write.
   */
  private ReplyEffect<CursorsAdvanced, State> onAdvance(State state, AdvanceCursors advance) {
    String commitPeriod = periods.periodOf(clock.instant()).id();
    Map<PartitionRef, AckPoint> standing = new HashMap<>(state.acked());
    Map<String, CursorsAdvanced.Builder> byPeriod = new LinkedHashMap<>();
    boolean inSync = true;
    for (AckRange range : advance.ranges()) {
      PartitionRef partition = range.to().partition();
      AckPoint acked = standing.getOrDefault(partition, AckPoint.beginningOf(partition));
      if (!range.to().isAfter(acked)) {
        continue;
      }
      if (range.fromOffset() != acked.offset()) {
        inSync = false;
        continue;
      }
      standing.put(partition, range.to());
      String period = range.period().isEmpty() ? commitPeriod : range.period();
      CursorsAdvanced.Builder advanced = byPeriod.computeIfAbsent(period, p ->
          CursorsAdvanced.newBuilder().setPeriod(p).setAtMillis(clock.millis()));
      advanced.addCursors(range.to().toProto()).setUnits(advanced.getUnits() + range.units())
          .setBytes(advanced.getBytes() + range.bytes());
    }
    Committed committed = new Committed(inSync);
    if (byPeriod.isEmpty()) {
      return Effect().reply(advance.replyTo(), committed);
    }
    List<CursorsAdvanced> events = byPeriod.values().stream().map(CursorsAdvanced.Builder::build).toList();
    return Effect().persist(events)
        .thenRun(newState -> usage.usageRecorded(subscriptionId))
        .thenReply(advance.replyTo(), newState -> committed);
  }

  @Override
  public EventHandler<State, CursorsAdvanced> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(CursorsAdvanced.class, (state, advanced) -> {
      for (PartitionCursor proto : advanced.getCursorsList()) {
        AckPoint point = AckPoint.fromProto(proto);
        state.acked().put(point.partition(), point);
      }
      if (advanced.getUnits() > 0) {
        state.usageByPeriod().merge(advanced.getPeriod(), advanced.getUnits(), Long::sum);
      }
      if (advanced.getRedelivery() > 0) {
        return new State(state.acked(), state.usageByPeriod(), state.resumable(),
            Math.max(state.redeliveredThrough(), advanced.getRedelivery()));
      }
      if (advanced.getMoved() || advanced.getUnits() > 0) {
        return new State(state.acked(), state.usageByPeriod(), !advanced.getMoved(), state.redeliveredThrough());
      }
      return state;
    }).build();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        SubscriptionSnapshot.Builder snapshot = SubscriptionSnapshot.newBuilder();
        state.acked().values().forEach(point -> snapshot.addAcked(point.toProto()));
        snapshot.putAllUsageByPeriod(state.usageByPeriod());
        return snapshot.setMovedSinceLastAck(!state.resumable()).setRedeliveredThrough(state.redeliveredThrough())
            .build();
      }

      @Override
      public State fromJournal(Object stored) {
        SubscriptionSnapshot snapshot = (SubscriptionSnapshot) stored;
        State state = new State(new HashMap<>(), new HashMap<>(), !snapshot.getMovedSinceLastAck(),
            snapshot.getRedeliveredThrough());
        snapshot.getAckedList().forEach(proto -> {
          AckPoint point = AckPoint.fromProto(proto);
          state.acked().put(point.partition(), point);
        });
        state.usageByPeriod().putAll(snapshot.getUsageByPeriodMap());
        return state;
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }
}
