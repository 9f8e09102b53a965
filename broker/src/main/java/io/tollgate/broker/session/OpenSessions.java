package io.tollgate.broker.session;

import io.tollgate.broker.catalog.CatalogView;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The sessions open on this node, and the one way every one of them is ended early: by its
 * credential's rule ({@link Credential#endingAt}, checked by {@link #endWhereDue} about every
 * second against this node's own catalog view, so a deletion or rotation written on any node
 * reaches every node's sessions), by an operator's or account admin's close, or by the node
 * going away. Each session registers how it is ended: a stream sends its last frame and
 * closes, a TCP connection sends a fatal error frame and closes.
 */
public final class OpenSessions {
  private record Held(OpenSession session, Credential credential, Consumer<Ending> end) {}

  private final Map<String, Held> sessions = new ConcurrentHashMap<>();
  private final CatalogView view;
  private final Clock clock;
  private final String node;

  /** {@code node}: this node's cluster address, as lists name it. */
  public OpenSessions(CatalogView view, Clock clock, String node) {
    this.view = view;
    this.clock = clock;
    this.node = node;
  }

  /**
   * A new session, opened now on this node; {@code end} sends its last frame and closes it.
   * Unregister it when it closes, however it closes.
   */
  public OpenSession register(String id, OpenSession.Kind kind, String account, Credential credential,
                              String subscription, String remoteAddress, Consumer<Ending> end) {
    OpenSession session = new OpenSession(id, kind, account, credential.label(), subscription, remoteAddress,
        clock.instant(), node);
    sessions.put(id, new Held(session, credential, end));
    return session;
  }

  public void unregister(String sessionId) {
    sessions.remove(sessionId);
  }

  /** Why a session opened with {@code credential} must end now, if it must; also checked before each TCP publish. */
  public Optional<Ending> due(Credential credential) {
    return credential.endingAt(view.catalog(), clock.instant());
  }

  /** Ends every session whose credential no longer holds. */
  public void endWhereDue() {
    sessions.values().forEach(held -> due(held.credential()).ifPresent(ending -> end(held, ending)));
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

  /** Ends every stream; TCP connections are drained by their server instead, so that publishes in flight get their acks. */
  public void endStreams(Ending ending) {
    sessions.values().stream().filter(held -> held.session().kind() == OpenSession.Kind.STREAM)
        .forEach(held -> end(held, ending));
  }

  public int size() {
    return sessions.size();
  }

  private void end(Held held, Ending ending) {
    sessions.remove(held.session().id());
    held.end().accept(ending);
  }
}
