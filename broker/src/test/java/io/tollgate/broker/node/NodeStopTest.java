package io.tollgate.broker.node;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tollgate.broker.e2e.TestBroker;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * A node whose actor system does not finish terminating (as on a node downed while cut off from
 * the others) still counts as stopped once its shutdown's last phase has had its time, so that
 * {@code tollgate run} exits with the status that says why.
 */
class NodeStopTest {
  @Test
  void aNodeIsStoppedWhenItsActorSystemOutlastsTheLastShutdownPhase() throws Exception {
    TestBroker broker = TestBroker.start(Map.of("pekko.coordinated-shutdown.phases.actor-system-terminate.timeout", "2s"));
    TollgateNode node = broker.node();
    CountDownLatch release = new CountDownLatch(1);
    node.system().systemActorOf(Behaviors.receive(Object.class)
        .onSignal(PostStop.class, stopped -> {
          release.await(60, TimeUnit.SECONDS);
          return Behaviors.same();
        })
        .build(), "holds-termination-back", Props.empty());
    try {
      node.stop();
      node.whenStopped().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertFalse(node.system().getWhenTerminated().toCompletableFuture().isDone(),
          "stopped while the actor system was still terminating, not after it");
    } finally {
      release.countDown();
    }
    node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
