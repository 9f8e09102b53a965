package io.tollgate.broker.subscription;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/** The stream sessions open on this node, so that a shutting-down node can tell each one. */
public final class SessionRegistry {
  private final Map<String, ActorRef<SubscriptionEntity.SessionSignal>> sessions = new ConcurrentHashMap<>();

  void register(String sessionId, ActorRef<SubscriptionEntity.SessionSignal> session) {
    sessions.put(sessionId, session);
  }

  void unregister(String sessionId) {
    sessions.remove(sessionId);
  }

  public int size() {
    return sessions.size();
  }

  public void goingAway() {
    sessions.values().forEach(session -> session.tell(new SubscriptionEntity.GoingAway()));
  }
}
