package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The child that delivers credits and invoice events: again and again until confirmed, never twice at once. */
class DeliveriesTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final Duration RETRY = Duration.ofMillis(100);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Producers that fail the first {@code failures} credits, and count every attempt. */
  static final class Producers extends AccountBillingTest.FakeOutside {
    final AtomicInteger attempts = new AtomicInteger();
    final int failures;
    volatile CompletableFuture<Done> gate = CompletableFuture.completedFuture(Done.getInstance());

    Producers(int failures) {
      this.failures = failures;
    }

    @Override
    public CompletionStage<Done> credit(String producer, RevenueCredited credit) {
      return attempts.incrementAndGet() <= failures
          ? CompletableFuture.failedFuture(new IllegalStateException("the producer's node is down"))
          : gate;
    }
  }

  private static List<BillingLedger.Delivery> oneCredit() {
    return List.of(new BillingLedger.Delivery("acc_producer",
        RevenueCredited.newBuilder().setInvoice("inv_1").setSubscription("sub_a").build()));
  }

  private static ActorRef<Deliveries.Command> deliveries(AccountBilling.Outside outside, TestProbe<Deliveries.CreditsConfirmed> credits,
                                                        TestProbe<Deliveries.AnnouncementConfirmed> announcements) {
    return testKit.spawn(Deliveries.create(outside, credits.ref(), announcements.ref(), RETRY));
  }

  @Test
  void creditsThatFailAreSentAgainUntilEveryProducerConfirmsThem() {
    Producers producers = new Producers(2);
    TestProbe<Deliveries.CreditsConfirmed> confirmed = testKit.createTestProbe();
    deliveries(producers, confirmed, testKit.createTestProbe()).tell(new Deliveries.SendCredits("inv_1", oneCredit()));
    assertEquals(new Deliveries.CreditsConfirmed("inv_1"), confirmed.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(3, producers.attempts.get());
  }

  @Test
  void aCreditKeyOnItsWayIsNotSentTwiceAtOnce() {
    Producers producers = new Producers(0);
    producers.gate = new CompletableFuture<>();
    TestProbe<Deliveries.CreditsConfirmed> confirmed = testKit.createTestProbe();
    ActorRef<Deliveries.Command> deliveries = deliveries(producers, confirmed, testKit.createTestProbe());
    deliveries.tell(new Deliveries.SendCredits("inv_1", oneCredit()));
    deliveries.tell(new Deliveries.SendCredits("inv_1", oneCredit()));
    confirmed.expectNoMessage(RETRY.multipliedBy(3));
    producers.gate.complete(Done.getInstance());
    confirmed.expectMessage(new Deliveries.CreditsConfirmed("inv_1"));
    confirmed.expectNoMessage(RETRY.multipliedBy(3));
    assertEquals(1, producers.attempts.get());
  }

  @Test
  void anInvoiceEventIsStoredAgainUntilTheTopicConfirmsIt() {
    AtomicInteger attempts = new AtomicInteger();
    AccountBillingTest.FakeOutside topic = new AccountBillingTest.FakeOutside() {
      @Override
      public CompletionStage<Boolean> announce(CloudEvent event) {
        return CompletableFuture.completedFuture(attempts.incrementAndGet() > 1);
      }
    };
    TestProbe<Deliveries.AnnouncementConfirmed> announced = testKit.createTestProbe();
    deliveries(topic, testKit.createTestProbe(), announced)
        .tell(new Deliveries.Announce("inv_1", CloudEvent.newBuilder().setId("inv_1").build()));
    assertEquals(new Deliveries.AnnouncementConfirmed("inv_1"), announced.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(2, attempts.get());
  }

  @Test
  void invoiceEventsAreStoredOneAtATimeInTheOrderTheyWereHandedOver() {
    List<String> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger failures = new AtomicInteger(2);
    AccountBillingTest.FakeOutside topic = new AccountBillingTest.FakeOutside() {
      @Override
      public CompletionStage<Boolean> announce(CloudEvent event) {
        attempts.add(event.getId());
        return CompletableFuture.completedFuture(!event.getId().equals("inv_1") || failures.decrementAndGet() < 0);
      }
    };
    TestProbe<Deliveries.AnnouncementConfirmed> announced = testKit.createTestProbe();
    ActorRef<Deliveries.Command> deliveries = deliveries(topic, testKit.createTestProbe(), announced);
    for (String id : List.of("inv_1", "inv_1:paid", "cn_tgcn_000001")) {
      deliveries.tell(new Deliveries.Announce(id, CloudEvent.newBuilder().setId(id).build()));
    }
    deliveries.tell(new Deliveries.Announce("inv_1:paid", CloudEvent.newBuilder().setId("inv_1:paid").build()));
    assertEquals(new Deliveries.AnnouncementConfirmed("inv_1"), announced.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new Deliveries.AnnouncementConfirmed("inv_1:paid"), announced.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(new Deliveries.AnnouncementConfirmed("cn_tgcn_000001"), announced.receiveMessage(Duration.ofSeconds(5)));
    announced.expectNoMessage(RETRY.multipliedBy(3));
    assertEquals(List.of("inv_1", "inv_1", "inv_1", "inv_1:paid", "cn_tgcn_000001"), attempts);
  }

  /**
   * Between the topic's confirmation and the parent's journal, the parent still lists the event as
   * not stored and may hand it over again (each of its writes does): it must not be stored twice.
   */
  @Test
  void aConfirmedEventIsNotSentAgainUntilTheParentRecordedIt() {
    List<String> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    AccountBillingTest.FakeOutside topic = new AccountBillingTest.FakeOutside() {
      @Override
      public CompletionStage<Boolean> announce(CloudEvent event) {
        attempts.add(event.getId());
        return CompletableFuture.completedFuture(true);
      }
    };
    TestProbe<Deliveries.AnnouncementConfirmed> announced = testKit.createTestProbe();
    ActorRef<Deliveries.Command> deliveries = deliveries(topic, testKit.createTestProbe(), announced);
    Deliveries.Announce voided = new Deliveries.Announce("inv_1:voided", CloudEvent.newBuilder().setId("inv_1:voided").build());
    deliveries.tell(voided);
    assertEquals(new Deliveries.AnnouncementConfirmed("inv_1:voided"), announced.receiveMessage(Duration.ofSeconds(5)));
    deliveries.tell(voided);
    announced.expectNoMessage(RETRY.multipliedBy(3));
    assertEquals(List.of("inv_1:voided"), attempts);

    deliveries.tell(new Deliveries.AnnouncementRecorded("inv_1:voided"));
    deliveries.tell(voided);
    assertEquals(new Deliveries.AnnouncementConfirmed("inv_1:voided"), announced.receiveMessage(Duration.ofSeconds(5)),
        "once recorded, only a restarted parent hands it over again, and then it is sent");
  }
}
