package io.tollgate.broker.catalog;

import io.tollgate.protocols.v1.journal.CatalogChange;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Makes a catalog command's change durable and waits until this node's view shows it. */
public final class CatalogWriter {
  private final ClusterSharding sharding;
  private final CatalogView view;
  private final Clock clock;
  private final Duration timeout;

  public CatalogWriter(ClusterSharding sharding, CatalogView view, Clock clock, Duration timeout) {
    this.sharding = sharding;
    this.view = view;
    this.clock = clock;
    this.timeout = timeout;
  }

  public CompletionStage<Catalog> write(String actor, CatalogCommand command) {
    CatalogChange stamped = command.change().setAtMillis(clock.millis()).setActor(actor).build();
    return CatalogEntity.ref(sharding)
        .<CatalogEntity.Result>ask(replyTo -> new CatalogEntity.Apply(stamped, replyTo), timeout)
        .thenCompose(result -> {
          if (result instanceof CatalogEntity.Rejected rejected) {
            throw rejected.rejection().toRefusal();
          }
          return view.awaitVersion(((CatalogEntity.Applied) result).version());
        })
        .thenApply(caughtUp -> view.catalog());
  }

}
