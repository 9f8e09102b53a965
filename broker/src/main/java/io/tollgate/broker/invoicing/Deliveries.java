package io.tollgate.broker.invoicing;

import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A child of {@link AccountBilling} that delivers what a finalized invoice, a void or a credit
 * note owes others, and sends it again until it is confirmed: the revenue credits of one credit
 * key to their producers, and the invoice events to the invoices topic. A key on its way is not
 * sent twice at once. Invoice events are stored one at a time, in the order they were handed
 * over, so a reader of the topic sees an invoice finalized before it is paid, voided or
 * credited. Each confirmation goes to the parent, which records it
 * ({@code RevenueDelivered}, {@code InvoiceAnnounced}) and then says so ({@link Recorded}): until
 * then the key stays claimed, so the parent handing over what its journal does not show as
 * recorded yet cannot send a confirmed delivery again. A restart of the parent starts a new
 * child, and the parent hands it again whatever its journal has not confirmed.
 */
final class Deliveries {
  private Deliveries() {}

  sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Send the credits of {@code creditKey} until every producer confirmed them. */
  record SendCredits(String creditKey, List<BillingLedger.Delivery> deliveries) implements Command {}

  /** Store {@code event} (an invoice event, by its id) on the invoices topic until it is stored. */
  record Announce(String eventId, CloudEvent event) implements Command {}

  private record Confirmed(String key, boolean credit) implements Command {}

  /** The parent journaled the confirmation of the credits of {@code creditKey}. */
  record CreditsRecorded(String creditKey) implements Command {}

  /** The parent journaled that the event {@code eventId} is stored. */
  record AnnouncementRecorded(String eventId) implements Command {}

  private record Failed(Command retry, String key) implements Command {}

  /** What the parent is told: every producer recorded the credits of {@code creditKey}. */
  record CreditsConfirmed(String creditKey) implements NoSerializationVerificationNeeded {}

  /** What the parent is told: the invoice event {@code eventId} is stored. */
  record AnnouncementConfirmed(String eventId) implements NoSerializationVerificationNeeded {}

  static Behavior<Command> create(AccountBilling.Outside outside, ActorRef<CreditsConfirmed> credits,
                                  ActorRef<AnnouncementConfirmed> announcements, Duration retryAfter) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new Deliveries.Running(context, timers, outside, credits, announcements, retryAfter).behavior()));
  }

  private static final class Running {
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final AccountBilling.Outside outside;
    private final ActorRef<CreditsConfirmed> credits;
    private final ActorRef<AnnouncementConfirmed> stored;
    private final Duration retryAfter;
    /** Keys sent, waiting for a retry, or confirmed and not recorded by the parent yet. */
    private final Set<String> unconfirmed = new HashSet<>();
    /** Invoice events to store, in order: only the first is on its way or waits for a retry. */
    private final Deque<Announce> announcements = new ArrayDeque<>();

    Running(ActorContext<Command> context, TimerScheduler<Command> timers, AccountBilling.Outside outside,
            ActorRef<CreditsConfirmed> credits, ActorRef<AnnouncementConfirmed> announcements, Duration retryAfter) {
      this.context = context;
      this.timers = timers;
      this.outside = outside;
      this.credits = credits;
      this.stored = announcements;
      this.retryAfter = retryAfter;
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(SendCredits.class, send -> {
            if (unconfirmed.add(creditKey(send.creditKey()))) {
              send(send);
            }
            return Behaviors.same();
          })
          .onMessage(Announce.class, announce -> {
            if (unconfirmed.add(eventKey(announce.eventId()))) {
              announcements.add(announce);
              if (announcements.size() == 1) {
                send(announce);
              }
            }
            return Behaviors.same();
          })
          .onMessage(Confirmed.class, confirmed -> {
            if (confirmed.credit()) {
              credits.tell(new CreditsConfirmed(confirmed.key()));
            } else {
              announcements.poll();
              stored.tell(new AnnouncementConfirmed(confirmed.key()));
              if (!announcements.isEmpty()) {
                send(announcements.peek());
              }
            }
            return Behaviors.same();
          })
          .onMessage(CreditsRecorded.class, recorded -> {
            unconfirmed.remove(creditKey(recorded.creditKey()));
            return Behaviors.same();
          })
          .onMessage(AnnouncementRecorded.class, recorded -> {
            unconfirmed.remove(eventKey(recorded.eventId()));
            return Behaviors.same();
          })
          .onMessage(Failed.class, failed -> {
            context.getLog().warn("delivering {} is not confirmed; sending it again in {}", failed.key(), retryAfter);
            timers.startSingleTimer(failed.key(), new Retry(failed.retry()), retryAfter);
            return Behaviors.same();
          })
          .onMessage(Retry.class, retry -> {
            send(retry.command());
            return Behaviors.same();
          })
          .build();
    }

    private void send(Command command) {
      if (command instanceof SendCredits send) {
        CompletableFuture<?>[] confirmations = send.deliveries().stream()
            .map(delivery -> outside.credit(delivery.producer(), delivery.credit()).toCompletableFuture())
            .toArray(CompletableFuture[]::new);
        context.pipeToSelf(CompletableFuture.allOf(confirmations), (done, failure) -> failure == null
            ? new Confirmed(send.creditKey(), true) : new Failed(send, creditKey(send.creditKey())));
      } else if (command instanceof Announce announce) {
        CompletionStage<Boolean> written = outside.announce(announce.event());
        context.pipeToSelf(written, (ok, failure) -> failure == null && ok
            ? new Confirmed(announce.eventId(), false) : new Failed(announce, eventKey(announce.eventId())));
      }
    }
  }

  private record Retry(Command command) implements Command {}

  private static String creditKey(String creditKey) {
    return "credits:" + creditKey;
  }

  private static String eventKey(String eventId) {
    return "announce:" + eventId;
  }
}
