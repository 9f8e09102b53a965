package io.tollgate.broker.node;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.cassandra.healthcheck.CassandraHealthCheck;
import scala.jdk.javaapi.FutureConverters;

/**
 * Asks the store whether it answers, every interval and one question at a time (a hung store
 * must not pile probes up), and tells {@link StoreAvailability}. A probe is a cached answer for
 * {@code /readyz}, which anyone may call: a flood of it never reaches the store.
 */
final class StoreProbe {
  private StoreProbe() {}

  /**
   * pekko-persistence-cassandra's own health check: {@code SELECT now() FROM system.local} through
   * the journal plugin, so through the session and driver the journal writes with, answered
   * false on an error or after {@code pekko.persistence.cassandra.healthcheck.timeout}.
   */
  static Supplier<CompletionStage<Boolean>> cassandra(ActorSystem<?> system) {
    CassandraHealthCheck check = new CassandraHealthCheck(Adapter.toClassic(system));
    return () -> FutureConverters.asJava(check.apply()).thenApply(Boolean.TRUE::equals);
  }

  static void start(ActorSystem<?> system, Supplier<CompletionStage<Boolean>> probe, StoreAvailability availability,
                    Duration interval) {
    AtomicBoolean asking = new AtomicBoolean();
    system.scheduler().scheduleWithFixedDelay(interval, interval, () -> {
      if (asking.compareAndSet(false, true)) {
        probe.get().whenComplete((reached, failure) -> {
          availability.probed(failure == null && reached);
          asking.set(false);
        });
      }
    }, system.executionContext());
  }
}
