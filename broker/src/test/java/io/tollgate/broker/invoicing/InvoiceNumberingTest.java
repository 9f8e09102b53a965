package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import com.google.protobuf.Message;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.protocols.v1.journal.NumberingSnapshot;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Gapless numbering: one number per document, the same one when asked again, across restarts. */
class InvoiceNumberingTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void documentsGetConsecutiveNumbersAndARetryGetsTheSameOne() {
    EventSourcedBehaviorTestKit<InvoiceNumbering.Command, Message, InvoiceNumbering.State> numbering =
        EventSourcedBehaviorTestKit.create(testKit.system(), InvoiceNumbering.create("TG"),
            new SerializationSettings(true, false, true, true, false));
    assertEquals("TG-000001", assign(numbering, "inv_a").number());
    assertEquals("TG-000002", assign(numbering, "inv_b").number());
    var retry = numbering.<InvoiceNumbering.AssignedNumber>runCommand(replyTo -> new InvoiceNumbering.Assign("inv_a", replyTo));
    assertEquals("TG-000001", retry.reply().number());
    assertEquals(true, retry.hasNoEvents(), "a retry uses no number");
    numbering.restart();
    assertEquals("TG-000003", assign(numbering, "inv_c").number());
    assertEquals("TG-000002", assign(numbering, "inv_b").number());
  }

  @Test
  void aSequenceKeepsOnlyTheDocumentsInFlightHoweverManyItNumbered() {
    EventSourcedBehaviorTestKit<InvoiceNumbering.Command, Message, InvoiceNumbering.State> numbering =
        EventSourcedBehaviorTestKit.create(testKit.system(), InvoiceNumbering.create("TGCN"),
            new SerializationSettings(true, false, true, true, false));
    for (int i = 1; i <= 300; i++) {
      String document = "inv_" + i + "|k";
      assign(numbering, document);
      numbering.<Done>runCommand(replyTo -> new InvoiceNumbering.Release(document, replyTo));
    }
    assign(numbering, "inv_in_flight|k");

    assertEquals(1, numbering.getState().assigned().size(), "only the document in flight");
    NumberingSnapshot snapshot = (NumberingSnapshot) InvoiceNumbering.snapshotOf(numbering.getState());
    assertEquals(1, snapshot.getAssignedCount());
    numbering.restart();
    assertEquals("TGCN-000301", assign(numbering, "inv_in_flight|k").number(), "a document in flight keeps its number");
    assertEquals("TGCN-000302", assign(numbering, "inv_next|k").number(), "and the sequence goes on without a gap");
  }

  @Test
  void aReleaseIsAnsweredOnceWrittenAndACopyIsAnsweredWithoutWriting() {
    EventSourcedBehaviorTestKit<InvoiceNumbering.Command, Message, InvoiceNumbering.State> numbering =
        EventSourcedBehaviorTestKit.create(testKit.system(), InvoiceNumbering.create("TGR"),
            new SerializationSettings(true, false, true, true, false));
    assign(numbering, "inv_a");
    var released = numbering.<Done>runCommand(replyTo -> new InvoiceNumbering.Release("inv_a", replyTo));
    assertEquals(Done.getInstance(), released.reply());
    assertEquals(1, released.events().size());
    var copy = numbering.<Done>runCommand(replyTo -> new InvoiceNumbering.Release("inv_a", replyTo));
    assertEquals(Done.getInstance(), copy.reply(), "answered, so its sender stops sending it");
    assertTrue(copy.hasNoEvents());
  }

  @Test
  void aReleaseIsSentAgainUntilTheSequenceAnswers() throws Exception {
    TestProbe<InvoiceNumbering.Command> sequence = testKit.createTestProbe();
    CompletableFuture<Done> released = InvoiceNumbering.release(
        TestEntityRef.of(InvoiceNumbering.ENTITY_KEY, "TG", sequence.getRef()), "inv_a",
        new ShardedAsk.Patience(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofSeconds(30)))
        .toCompletableFuture();
    InvoiceNumbering.Release lost = sequence.expectMessageClass(InvoiceNumbering.Release.class, Duration.ofSeconds(10));
    InvoiceNumbering.Release again = sequence.expectMessageClass(InvoiceNumbering.Release.class, Duration.ofSeconds(10));
    assertEquals(lost.document(), again.document());
    again.replyTo().tell(Done.getInstance());
    assertEquals(Done.getInstance(), released.get(30, TimeUnit.SECONDS));
  }

  private static InvoiceNumbering.AssignedNumber assign(
      EventSourcedBehaviorTestKit<InvoiceNumbering.Command, Message, InvoiceNumbering.State> numbering, String document) {
    return numbering.<InvoiceNumbering.AssignedNumber>runCommand(replyTo -> new InvoiceNumbering.Assign(document, replyTo)).reply();
  }
}
