package io.tollgate.broker.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * Pekko Management's {@code /ready} asks this besides cluster membership: a node is ready once
 * its catalog view has caught up and until it starts to shut down, as {@code /readyz} says.
 * Pekko Management creates the check itself, so the node hands it the answer through an extension.
 */
public final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private final Readiness readiness;

  public ReadinessCheck(ActorSystem system) {
    this.readiness = Readiness.ID.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(readiness.ready.getAsBoolean());
  }

  /** Where the node puts its readiness for the check to read. */
  static final class Readiness implements Extension {
    static final AbstractExtensionId<Readiness> ID = new AbstractExtensionId<>() {
      @Override
      public Readiness createExtension(ExtendedActorSystem system) {
        return new Readiness();
      }
    };

    private volatile BooleanSupplier ready = () -> false;

    void set(BooleanSupplier ready) {
      this.ready = ready;
    }
  }
}
