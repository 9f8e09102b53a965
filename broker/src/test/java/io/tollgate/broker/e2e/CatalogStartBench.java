package io.tollgate.broker.e2e;

import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * How long a node takes to start on a catalog of {@code SUBSCRIPTIONS} subscriptions, with and
 * without catalog snapshots (docs/benchmarks.md). The subscriptions are written straight to the
 * catalog entity, 64 at a time, so what is timed is the start, not the HTTP edge. Run only
 * when named: {@code -Dit.test=CatalogStartBench}.
 */
class CatalogStartBench {
  private static final int SUBSCRIPTIONS = Integer.getInteger("bench.subscriptions", 100_000);

  @Test
  void startTimeWithAndWithoutSnapshots() throws Exception {
    for (int snapshotEvery : new int[] {10_000_000, 1_000, 10_000}) {
      Path dir = Files.createTempDirectory("tollgate-catalog-bench");
      Map<String, Object> settings = Map.of("tollgate.catalog.snapshot-every", snapshotEvery,
          "tollgate.limits.catalog.max-subscriptions-per-account", 1_000_000, "tollgate.limits.catalog.max-bytes-per-account", "1GiB");
      long writeStart = System.nanoTime();
      try (TestBroker broker = TestBroker.startIn(dir, settings, Clock.systemUTC())) {
        TestBroker.Tenancy t = broker.tenancy("bench", 1);
        write(broker, t);
      }
      long written = System.nanoTime() - writeStart;
      for (int run = 1; run <= 2; run++) {
        long start = System.nanoTime();
        try (TestBroker restarted = TestBroker.startIn(dir, settings, Clock.systemUTC())) {
          long started = System.nanoTime() - start;
          System.out.printf("BENCH snapshot-every=%d subscriptions=%d write=%.1fs start%d=%.2fs changes-read=%d version=%d%n",
              snapshotEvery, SUBSCRIPTIONS, written / 1e9, run, started / 1e9, restarted.node().catalogView().changesRead(),
              restarted.node().catalogView().catalog().version());
        }
      }
    }
  }

  private static void write(TestBroker broker, TestBroker.Tenancy t) throws Exception {
    ClusterSharding sharding = ClusterSharding.get(broker.node().system());
    List<CompletableFuture<CatalogEntity.Result>> inFlight = new ArrayList<>();
    for (int i = 0; i < SUBSCRIPTIONS; i++) {
      CatalogChange change = CatalogChange.newBuilder().setAtMillis(System.currentTimeMillis()).setActor("admin")
          .setSubscriptionCreated(SubscriptionCreated.newBuilder().setId("sub_bench_" + i).setAccount(t.consumer())
              .setProduct(t.product()).setPlan(t.plan()).setDeliveryType("websocket")).build();
      inFlight.add(CatalogEntity.ref(sharding).<CatalogEntity.Result>ask(replyTo -> new CatalogEntity.Apply(change, replyTo),
          Duration.ofSeconds(60)).toCompletableFuture());
      if (inFlight.size() == 64) {
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        inFlight.clear();
      }
    }
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
  }
}
