package io.tollgate.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which HTTP connections the node's one sweep ends: those with no request begun or answered for the idle timeout, and no stream. */
class IdleConnectionsTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private final IdleConnections connections = new IdleConnections(Duration.ofSeconds(120));
  private final List<String> ended = new ArrayList<>();

  /** A connection that records what was done to it, and closes when closed. */
  private final class Fake implements IdleConnections.Connection {
    private final String name;
    private boolean open = true;

    Fake(String name) {
      this.name = name;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void shutDown() {
      ended.add(name + " shut down");
    }

    @Override
    public void close() {
      ended.add(name + " closed");
      open = false;
    }
  }

  private static InetSocketAddress peer(int port) {
    return new InetSocketAddress("127.0.0.1", port);
  }

  private Fake open(int port, long atNanos) {
    Fake connection = new Fake("c" + port);
    connections.opened(peer(port), connection, atNanos);
    return connection;
  }

  @Test
  void aConnectionThatSendsNothingIsShutDownAfterTheIdleTimeoutAndOneOpenedLaterIsNot() {
    open(1, 0);
    open(2, 10 * SECOND);
    assertEquals(0, connections.sweep(120 * SECOND - 1));
    assertEquals(1, connections.sweep(120 * SECOND));
    assertEquals(List.of("c1 shut down"), ended);
    assertEquals(0, connections.sweep(121 * SECOND), "shut down once");
    assertEquals(1, connections.sweep(130 * SECOND));
    assertEquals(List.of("c1 shut down", "c2 shut down"), ended);
  }

  @Test
  void eachRequestBegunOrAnsweredStartsTheQuietAfresh() {
    open(1, 0);
    connections.active(peer(1), 100 * SECOND);
    assertEquals(0, connections.sweep(219 * SECOND));
    connections.active(peer(1), 200 * SECOND);
    assertEquals(0, connections.sweep(319 * SECOND));
    assertEquals(1, connections.sweep(320 * SECOND));
  }

  @Test
  void aWebSocketIsNeverQuietHereItsStallTimeoutBoundsIt() {
    open(1, 0);
    connections.upgraded(peer(1));
    assertEquals(0, connections.sweep(10_000 * SECOND));
    assertEquals(List.of(), ended);
  }

  @Test
  void aConnectionIsNotQuietWhileAnEventStreamRunsOnItAndIsFromWhenTheLastEnds() {
    open(1, 0);
    connections.streamStarted(peer(1), 10 * SECOND);
    connections.streamStarted(peer(1), 20 * SECOND);
    connections.streamEnded(peer(1), 500 * SECOND);
    assertEquals(0, connections.sweep(1_000 * SECOND), "one stream still runs (HTTP/2 carries several)");
    connections.streamEnded(peer(1), 1_000 * SECOND);
    assertEquals(0, connections.sweep(1_119 * SECOND));
    assertEquals(1, connections.sweep(1_120 * SECOND));
  }

  @Test
  void aConnectionStillOpenATimeoutAfterItsShutDownIsClosedAndForgotten() {
    Fake stuck = open(1, 0);
    connections.sweep(120 * SECOND);
    connections.sweep(239 * SECOND);
    assertEquals(List.of("c1 shut down"), ended);
    connections.sweep(240 * SECOND);
    assertEquals(List.of("c1 shut down", "c1 closed"), ended);
    assertEquals(false, stuck.isOpen());
    assertEquals(0, connections.size());
  }

  @Test
  void aClosedConnectionIsForgottenAndWhatHappensOnAnUnknownOneIsIgnored() {
    Fake closed = open(1, 0);
    closed.open = false;
    connections.sweep(SECOND);
    assertEquals(0, connections.size());
    connections.active(peer(1), 2 * SECOND);
    connections.streamStarted(peer(2), 2 * SECOND);
    assertEquals(0, connections.size());
    assertEquals(List.of(), ended);
  }

  @Test
  void aNewConnectionFromTheSamePortReplacesTheClosedOneBeforeTheSweepForgetsIt() {
    Fake first = open(1, 0);
    connections.upgraded(peer(1));
    first.open = false;
    open(1, 100 * SECOND);
    assertEquals(0, connections.sweep(219 * SECOND));
    assertEquals(1, connections.sweep(220 * SECOND), "the new connection carries no stream of the old one");
  }

  @Test
  void timesAreTheSchedulersNanosecondsEvenWhereTheyWrapAround() {
    open(1, Long.MAX_VALUE - 10 * SECOND);
    assertEquals(0, connections.sweep(Long.MAX_VALUE));
    assertEquals(1, connections.sweep(Long.MAX_VALUE + 110 * SECOND));
  }
}
