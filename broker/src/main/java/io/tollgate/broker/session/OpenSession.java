package io.tollgate.broker.session;

import java.time.Instant;

/**
 * A session as lists show it: a WebSocket stream of a subscription ({@code stream}), a
 * server-sent event stream of one ({@code event_stream}), or an authenticated TCP publish
 * connection ({@code tcp}), or a webhook subscription's delivery worker ({@code webhook}). {@code account} is the subscription's account for a stream, the
 * caller's for a TCP connection (empty for the operator's); {@code subscription} is empty for
 * TCP; {@code node} is the cluster address of the node that holds it.
 */
public record OpenSession(String id, Kind kind, String account, String credential, String subscription,
                          String remoteAddress, Instant openedAt, String node) {
  public enum Kind {
    STREAM, EVENT_STREAM, TCP, WEBHOOK;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Kind parse(String wireName) {
      return valueOf(wireName.toUpperCase(java.util.Locale.ROOT));
    }
  }
}
