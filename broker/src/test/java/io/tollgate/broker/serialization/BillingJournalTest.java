package io.tollgate.broker.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.invoicing.BillingEvent;
import io.tollgate.broker.invoicing.BillingJournal;
import io.tollgate.protocols.v1.journal.CreditNoteRequested;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The billing entity's events are records in memory and the Protobuf messages of the same names
 * in the journal. Each must map both ways without losing a field, under the manifest stored data
 * already uses, so what was journaled before reads back as it was written.
 */
class BillingJournalTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyEventIsStoredAsTheMessageOfItsNameAndReadsBackEqual() {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    List<Object> events = new MessageExamples(testKit.createTestProbe().ref()).of(BillingEvent.class);
    assertEquals(BillingEvent.class.getPermittedSubclasses().length, events.size());
    for (Object example : events) {
      BillingEvent event = (BillingEvent) example;
      Message stored = BillingJournal.message(event);
      String manifest = Serializers.manifestFor(serialization.findSerializerFor(stored), stored);
      assertEquals(event.getClass().getSimpleName(), manifest, "stored under the manifest of its name");
      Message readBack = (Message) serialization.deserialize(serialization.serialize(stored).get(),
          serialization.findSerializerFor(stored).identifier(), manifest).get();
      assertEquals(event, BillingJournal.event(readBack), "every field survives the journal");
    }
  }

  @Test
  void whatWasJournaledBeforeTheRecordsReadsBackAsItWasWritten() {
    List<Message> stored = List.of(
        UsageRecorded.newBuilder().setSubscription("sub_a").setSequence(7).setPeriod("2026-11").setUnits(30)
            .setAtMillis(1_790_000_000_000L).setPlan("plan_b").setPlanFromMillis(1_789_000_000_000L).build(),
        UsageRecorded.newBuilder().setSubscription("sub_a").setSequence(8).setPeriod("2026-11").setUnits(3).build(),
        PublishedRecorded.newBuilder().setTopic("orders").setPartition(2).setSequence(9).setPeriod("2026-11")
            .setEvents(4).setBytes(512).build(),
        WalletToppedUp.newBuilder().setIdempotencyKey("order-1").setCurrency("USD").setAmount("10.00")
            .setAtMillis(1_790_000_000_000L).build(),
        InvoiceStatusChanged.newBuilder().setInvoice("inv_a_202611_usd").setStatus("void").setAtMillis(5).build(),
        CreditNoteRequested.newBuilder().setInvoice("inv_a_202611_usd").setCurrency("JPY").setAmount("400")
            .setReason("late").setIdempotencyKey("ticket-1").setAtMillis(6).build(),
        PeriodsClosed.newBuilder().setThroughMillis(1_790_000_000_000L).build(),
        InvoiceAnnounced.newBuilder().setInvoice("inv_a_202611_usd").build());
    for (Message message : stored) {
      assertEquals(message, BillingJournal.message(BillingJournal.event(message)));
    }
  }
}
