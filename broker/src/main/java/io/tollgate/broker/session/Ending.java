package io.tollgate.broker.session;

/**
 * Why a session ends, as its last frame says: {@code key_revoked}, {@code key_expired},
 * {@code token_expired}, {@code session_closed}, {@code subscription_cancelled},
 * {@code subscription_paused} or {@code going_away}.
 */
public record Ending(String code, String message) {
  public static Ending closedBy(String actor) {
    return new Ending("session_closed", "this session was closed by "
        + (actor.equals("admin") ? "the operator" : "an admin of account " + actor));
  }

  public static Ending subscriptionCancelled(String subscription, java.time.Instant endedAt) {
    return new Ending("subscription_cancelled", "subscription " + subscription + " was cancelled and ended at "
        + endedAt + "; nothing after that is delivered or billed");
  }

  public static Ending subscriptionPaused(String subscription, java.time.Instant pausedAt) {
    return new Ending("subscription_paused", "subscription " + subscription + " was paused at " + pausedAt
        + "; nothing is delivered or billed until it is resumed, then it continues after your last ack");
  }

  public static Ending goingAway() {
    return new Ending("going_away", "the broker node is shutting down; reconnect to resume after your last ack");
  }
}
