package io.tollgate.broker.session;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.error.Refusal;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The sessions open on this node, the one place that counts them, and the one way every one of
 * them is ended early: by its credential's rule ({@link Credential#endingAt}, checked by
 * {@link #endWhereDue} about every second against this node's own catalog view, so a deletion
 * or rotation written on any node reaches every node's sessions), by its own rule (a TCP
 * connection that went idle or stalled mid-frame), by an operator's or account admin's close,
 * or by the node going away. A session of a subscription that a cancel has ended, or that is
 * paused, is ended the same way, and refused when it registers. Each session registers how it is ended: a stream sends its last
 * frame and closes, a TCP connection sends a fatal error frame and closes.
 *
 * <p>It also bounds them: at most {@link Limits#perAddress} connections from one remote address
 * (TCP connections count from their accept, before they authenticate, so that unauthenticated
 * ones cannot take every place) and at most {@link Limits#perAccount} sessions of one account.
 */
public final class OpenSessions {
  /** At most this many sessions of one account, and connections from one remote address, on this node. */
  public record Limits(int perAccount, int perAddress) {}

  /** Why a session must end now for a reason of its own (not its credential's), checked with the credential's rule. */
  @FunctionalInterface
  public interface Rule {
    Rule NONE = now -> Optional.empty();

    Optional<Ending> endingAt(Instant now);
  }

  private record Held(OpenSession session, Credential credential, Consumer<Ending> end, Rule rule) {}

  private final Map<String, Held> sessions = new ConcurrentHashMap<>();
  /** The sessions with rules of their own, also in {@code sessions}. */
  private final Map<String, Held> ruled = new ConcurrentHashMap<>();
  /** The catalog version every session was last checked against; only the checking thread uses it. */
  private long checkedVersion = -1;
  /** When a session's credential or subscription may next end it without a catalog change; guarded by {@code this}. */
  private Instant recheckAt = Instant.MIN;
  /** Admitted connections' addresses by id, and the counts per address and per account; guarded by {@code this}. */
  private final Map<String, String> admitted = new HashMap<>();
  private final Map<String, Integer> byAddress = new HashMap<>();
  private final Map<String, Integer> byAccount = new HashMap<>();
  private final CatalogView view;
  private final Clock clock;
  private final String node;
  private final Limits limits;

  /** {@code node}: this node's cluster address, as lists name it. */
  public OpenSessions(CatalogView view, Clock clock, String node, Limits limits) {
    this.view = view;
    this.clock = clock;
    this.node = node;
    this.limits = limits;
  }

  /**
   * Takes a place for connection {@code id} from {@code remoteAddress}, before it is a session
   * (a TCP connection at accept), or refuses it with {@code too_many_connections_for_address}.
   * Release it with {@link #unregister} when the connection closes, however it closes.
   */
  public synchronized void admit(String id, String remoteAddress) {
    if (admitted.containsKey(id)) {
      return;
    }
    int open = byAddress.getOrDefault(remoteAddress, 0);
    if (open >= limits.perAddress()) {
      throw new Refusal("too_many_connections_for_address", remoteAddress + " has " + open
          + " connections open on this node, the most one address may have; close one or retry later");
    }
    admitted.put(id, remoteAddress);
    byAddress.merge(remoteAddress, 1, Integer::sum);
  }

  /** A new session without a rule of its own; see {@link #register(String, OpenSession.Kind, String, Credential, String, String, Consumer, Rule)}. */
  public OpenSession register(String id, OpenSession.Kind kind, String account, Credential credential,
                              String subscription, String remoteAddress, Consumer<Ending> end) {
    return register(id, kind, account, credential, subscription, remoteAddress, end, Rule.NONE);
  }

  /**
   * A new session, opened now on this node; {@code end} sends its last frame and closes it. It
   * is admitted first if it was not ({@link #admit}); a session of an account that has its most
   * sessions is refused with {@code too_many_connections_for_account} (the operator's, of no
   * account, never is). Unregister it when it closes, however it closes.
   */
  public OpenSession register(String id, OpenSession.Kind kind, String account, Credential credential,
                              String subscription, String remoteAddress, Consumer<Ending> end, Rule rule) {
    subscriptionEnding(subscription, clock.instant()).ifPresent(ending -> {
      throw new Refusal(ending.code(), ending.message());
    });
    synchronized (this) {
      boolean admittedHere = !admitted.containsKey(id);
      admit(id, remoteAddress);
      int open = byAccount.getOrDefault(account, 0);
      if (!account.isEmpty() && open >= limits.perAccount()) {
        if (admittedHere) {
          release(id);
        }
        throw new Refusal("too_many_connections_for_account", "account " + account + " has " + open
            + " streams and TCP connections open on this node, the most one account may have; close one or retry later");
      }
      OpenSession session = new OpenSession(id, kind, account, credential.label(), subscription, remoteAddress,
          clock.instant(), node);
      Held held = new Held(session, credential, end, rule);
      sessions.put(id, held);
      if (rule != Rule.NONE) {
        ruled.put(id, held);
      }
      byAccount.merge(account, 1, Integer::sum);
      recheckBy(changesAt(held, view.catalog(), clock.instant()));
      return session;
    }
  }

  /** The session, and the connection's place, are gone. */
  public synchronized void unregister(String sessionId) {
    forget(sessionId);
    release(sessionId);
  }

  /** Why a session opened with {@code credential} must end now, if it must; also checked before each TCP publish. */
  public Optional<Ending> due(Credential credential) {
    return credential.endingAt(view.catalog(), clock.instant());
  }

  /**
   * Ends every session whose credential no longer holds, whose subscription a cancel has ended
   * or is paused, or whose own rule says it must end.
   *
   * <p>Credentials and subscriptions change only with the catalog or at an instant known in
   * advance (an expiry, a scheduled cancel), so they are looked at again only then: checking
   * every one of 10,000 idle streams every second was a third of what they cost the node. Only
   * the sessions with rules of their own are asked every time.
   */
  public void endWhereDue() {
    Instant now = clock.instant();
    Catalog catalog = view.catalog();
    long version = catalog.version();
    if (version == checkedVersion && now.isBefore(recheckAt())) {
      ruled.values().forEach(held -> held.rule().endingAt(now).ifPresent(ending -> end(held, ending)));
      return;
    }
    checkedVersion = version;
    setRecheckAt(Instant.MAX);
    sessions.values().forEach(held -> held.credential().endingAt(catalog, now)
        .or(() -> subscriptionEnding(held.session().subscription(), now))
        .or(() -> held.rule().endingAt(now))
        .ifPresentOrElse(ending -> end(held, ending), () -> recheckBy(changesAt(held, catalog, now))));
  }

  /** The next instant at which the session's credential or subscription may end it, with the catalog as it is. */
  private static Optional<Instant> changesAt(Held held, Catalog catalog, Instant now) {
    Stream<Instant> subscription = Optional.ofNullable(held.session().subscription()).filter(id -> !id.isEmpty())
        .flatMap(catalog::subscription).stream()
        .flatMap(s -> Stream.concat(s.endsAt().stream(), s.pauses().stream().map(Catalog.Pause::from)))
        .filter(now::isBefore);
    return Stream.concat(held.credential().changesAt(catalog).stream(), subscription).min(Comparator.naturalOrder());
  }

  private synchronized Instant recheckAt() {
    return recheckAt;
  }

  private synchronized void setRecheckAt(Instant at) {
    recheckAt = at;
  }

  private synchronized void recheckBy(Optional<Instant> at) {
    at.filter(recheckAt::isAfter).ifPresent(earlier -> recheckAt = earlier);
  }

  /** Why a session of {@code subscription} (empty: of none) may not go on at {@code now}, if it may not. */
  private Optional<Ending> subscriptionEnding(String subscription, Instant now) {
    if (subscription == null || subscription.isEmpty()) {
      return Optional.empty();
    }
    return view.catalog().subscription(subscription).flatMap(s -> s.endedAt(now)
        ? Optional.of(Ending.subscriptionCancelled(s.id(), s.endsAt().orElseThrow()))
        : s.pausedAt(now).map(pause -> Ending.subscriptionPaused(s.id(), pause.from())));
  }

  /** This node's sessions of {@code account}, oldest first; every session when empty. */
  public List<OpenSession> of(String account) {
    return sessions.values().stream().map(Held::session)
        .filter(session -> account.isEmpty() || session.account().equals(account))
        .sorted(Comparator.comparing(OpenSession::openedAt)).toList();
  }

  /** Ends the session if it is here and of {@code account} (any account when empty). */
  public boolean close(String sessionId, String account, Ending ending) {
    Held held = sessions.get(sessionId);
    if (held == null || !account.isEmpty() && !held.session().account().equals(account)) {
      return false;
    }
    end(held, ending);
    return true;
  }

  /**
   * Ends every stream, WebSocket or event stream; TCP connections are drained by their server
   * instead, so that publishes in flight get their acks.
   */
  public void endStreams(Ending ending) {
    sessions.values().stream().filter(held -> held.session().kind() != OpenSession.Kind.TCP)
        .forEach(held -> end(held, ending));
  }

  public int size() {
    return sessions.size();
  }

  /** Ends a session at most once: whoever removes it sends its last frame. */
  private void end(Held held, Ending ending) {
    if (forget(held.session().id())) {
      held.end().accept(ending);
    }
  }

  private synchronized boolean forget(String sessionId) {
    Held held = sessions.remove(sessionId);
    if (held == null) {
      return false;
    }
    ruled.remove(sessionId);
    decrement(byAccount, held.session().account());
    return true;
  }

  private synchronized void release(String id) {
    String address = admitted.remove(id);
    if (address != null) {
      decrement(byAddress, address);
    }
  }

  private static void decrement(Map<String, Integer> counts, String key) {
    counts.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
  }
}
