package io.tollgate.cassandra;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for processes that tests kill and start again on the same ports: a Cassandra node, a
 * broker process. A port the kernel hands out for {@code bind(0)} comes from the ephemeral range
 * (32768 and up on Linux), where every outgoing connection takes its local port too: one made
 * while the process is down (a driver reconnecting, a client retrying) can hold the port when the
 * process starts again, which then fails to bind. These come from below that range, free when
 * handed out and never handed out twice by this JVM (a port chosen for a node that starts later
 * is not bound yet). The same reasoning as the CLI's crash loop ({@code BrokerChild}).
 */
public final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int BELOW_EPHEMERAL = 32_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port nothing listens on now, below the ephemeral range, that this JVM has not handed out before. */
  public static int belowEphemeralRange() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL);
      if (isFree(port) && HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + LOWEST + " and " + BELOW_EPHEMERAL
        + " after 1000 attempts");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
