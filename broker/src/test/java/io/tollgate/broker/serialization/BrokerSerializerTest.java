package io.tollgate.broker.serialization;

import io.tollgate.broker.error.Rejection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.invoicing.AccountBilling;
import io.tollgate.broker.invoicing.InvoiceNumbering;
import io.tollgate.broker.catalog.CatalogEntity;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.topic.TopicPartition;
import io.tollgate.protocols.v1.cluster.Detach;
import io.tollgate.protocols.v1.cluster.PartitionAdvanced;
import io.tollgate.protocols.v1.journal.BillingSnapshot;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.NumberAssigned;
import io.tollgate.protocols.v1.journal.NumberingSnapshot;
import io.tollgate.protocols.v1.journal.PartitionSnapshot;
import io.tollgate.protocols.v1.journal.PeriodsClosed;
import io.tollgate.protocols.v1.journal.PublishedRecorded;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.SubscriptionSnapshot;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import io.tollgate.protocols.v1.journal.WebhookDeadLetterPolicy;
import io.tollgate.protocols.v1.journal.WebhookEndpointSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Stored data names each message by the serializer's id and its manifest. These tests keep
 * both as they were, and check every declared type through Pekko's serialization as node.conf
 * binds it, so a new declaration is covered without touching this test.
 */
class BrokerSerializerTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());

  /**
   * Every manifest in journals and cluster traffic before the registry, and the type it names.
   * ("GoingAway" is gone: a node sent it only to its own streams, so no other node or journal
   * ever held it; "SessionEnded" carries every reason a session ends.)
   */
  private static final Map<String, Class<?>> MANIFESTS_IN_STORED_DATA = Map.ofEntries(
      Map.entry("EventsAppended", EventsAppended.class),
      Map.entry("PartitionSnapshot", PartitionSnapshot.class),
      Map.entry("CatalogChange", CatalogChange.class),
      Map.entry("CursorsAdvanced", CursorsAdvanced.class),
      Map.entry("SubscriptionSnapshot", SubscriptionSnapshot.class),
      Map.entry("UsageRecorded", UsageRecorded.class),
      Map.entry("BillingSnapshot", BillingSnapshot.class),
      Map.entry("InvoiceFinalized", InvoiceFinalized.class),
      Map.entry("RevenueDelivered", RevenueDelivered.class),
      Map.entry("RevenueCredited", RevenueCredited.class),
      Map.entry("WalletToppedUp", WalletToppedUp.class),
      Map.entry("InvoiceStatusChanged", InvoiceStatusChanged.class),
      Map.entry("PeriodsClosed", PeriodsClosed.class),
      Map.entry("NumberAssigned", NumberAssigned.class),
      Map.entry("CreditNoteIssued", CreditNoteIssued.class),
      Map.entry("InvoiceAnnounced", InvoiceAnnounced.class),
      Map.entry("PublishedRecorded", PublishedRecorded.class),
      Map.entry("NumberingSnapshot", NumberingSnapshot.class),
      Map.entry("PartitionAdvanced", PartitionAdvanced.class),
      Map.entry("Append", TopicPartition.Append.class),
      Map.entry("AppendReply", TopicPartition.AppendResult.class),
      Map.entry("GetEnd", TopicPartition.GetEnd.class),
      Map.entry("AckPoint", AckPoint.class),
      Map.entry("CatalogApply", CatalogEntity.Apply.class),
      Map.entry("CatalogReply", CatalogEntity.Result.class),
      Map.entry("CatalogGetVersion", CatalogEntity.GetVersion.class),
      Map.entry("Attach", SubscriptionEntity.Attach.class),
      Map.entry("Attached", SubscriptionEntity.Attached.class),
      Map.entry("Detach", SubscriptionEntity.Detach.class),
      Map.entry("GetAcked", SubscriptionEntity.GetAcked.class),
      Map.entry("AdvanceCursors", SubscriptionEntity.AdvanceCursors.class),
      Map.entry("SessionReplaced", SubscriptionEntity.SessionReplaced.class),
      Map.entry("FrameRefused", SubscriptionEntity.FrameRefused.class),
      Map.entry("MessageTooLarge", SubscriptionEntity.MessageTooLarge.class),
      Map.entry("QuotaExhausted", SubscriptionEntity.QuotaExhausted.class),
      Map.entry("PlanChanged", SubscriptionEntity.PlanChanged.class),
      Map.entry("PlanSwitched", SubscriptionEntity.PlanSwitched.class),
      Map.entry("OutOfStep", SubscriptionEntity.OutOfStep.class),
      Map.entry("CursorExpired", SubscriptionEntity.CursorExpired.class),
      Map.entry("Committed", SubscriptionEntity.Committed.class),
      Map.entry("ClosePeriods", AccountBilling.ClosePeriods.class),
      Map.entry("CreditRevenue", AccountBilling.CreditRevenue.class),
      Map.entry("TopUp", AccountBilling.TopUp.class),
      Map.entry("ChangeInvoiceStatus", AccountBilling.ChangeInvoiceStatus.class),
      Map.entry("GetLedger", AccountBilling.GetLedger.class),
      Map.entry("Ledger", AccountBilling.Ledger.class),
      Map.entry("Outcome", AccountBilling.Outcome.class),
      Map.entry("IssueCreditNote", AccountBilling.IssueCreditNote.class),
      Map.entry("AssignNumber", InvoiceNumbering.Assign.class),
      Map.entry("AssignedNumber", InvoiceNumbering.AssignedNumber.class),
      Map.entry("RecordUsage", AccountBilling.RecordUsage.class),
      Map.entry("RecordPublished", AccountBilling.RecordPublished.class),
      Map.entry("CatchUp", AccountBilling.CatchUp.class),
      Map.entry("GetUsage", AccountBilling.GetUsage.class),
      Map.entry("UsageReport", AccountBilling.UsageReport.class));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theSerializerKeepsTheIdentifierStoredDataNamesItBy() {
    assertEquals(7_300_001, BrokerSerializer.IDENTIFIER);
    Serializer bound = SerializationExtension.get(testKit.system()).findSerializerFor(new SubscriptionEntity.SessionReplaced());
    assertEquals(7_300_001, bound.identifier());
  }

  @Test
  void everyManifestInStoredDataStillNamesItsType() {
    Map<String, Class<?>> declared = new TreeMap<>();
    BrokerSerializer.MESSAGES.codecs().forEach(codec -> declared.put(codec.manifest(), codec.type()));
    List<String> changed = new ArrayList<>();
    MANIFESTS_IN_STORED_DATA.forEach((manifest, type) -> {
      if (declared.get(manifest) != type) {
        changed.add(manifest + " names " + declared.get(manifest) + " instead of " + type.getName());
      }
    });
    assertEquals(List.of(), changed);
  }

  @Test
  void everyDeclaredTypeRoundTripsThroughTheSerializerNodeConfBinds() {
    Serialization serialization = SerializationExtension.get(testKit.system());
    MessageExamples examples = new MessageExamples(testKit.createTestProbe().ref());
    int checked = 0;
    for (MessageCodec<?, ?> codec : BrokerSerializer.MESSAGES.codecs()) {
      for (Object example : examples.of(codec.type())) {
        String name = codec.manifest() + " (" + example.getClass().getName() + ")";
        Serializer serializer = serialization.findSerializerFor(example);
        assertInstanceOf(BrokerSerializer.class, serializer, name + " is not bound to BrokerSerializer in node.conf");
        String manifest = Serializers.manifestFor(serializer, example);
        assertEquals(codec.manifest(), manifest, name);
        byte[] bytes = serialization.serialize(example).get();
        assertEquals(example, serialization.deserialize(bytes, serializer.identifier(), manifest).get(), name);
        checked++;
      }
    }
    assertTrue(checked >= MANIFESTS_IN_STORED_DATA.size(), "checked only " + checked);
  }

  /**
   * The examples set only a oneof's first case, so the webhook endpoint change is checked here: its
   * own dead-letter policy round-trips, and one stored before the field existed reads without it.
   */
  @Test
  void aWebhookEndpointChangeKeepsItsDeadLetterPolicyAndOneStoredBeforeItHasNone() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    CatalogChange change = CatalogChange.newBuilder().setAtMillis(1_790_000_000_000L).setActor("acc_a")
        .setWebhookEndpointSet(WebhookEndpointSet.newBuilder().setSubscription("sub_1").setUrl("https://hooks.example/a")
            .setBatchSize(10).setConcurrency(2).setDeadLetters(WebhookDeadLetterPolicy.newBuilder().setEnabled(true)
                .setAfterAttempts(0)))
        .build();
    Serializer serializer = serialization.findSerializerFor(change);
    Object back = serialization.deserialize(serialization.serialize(change).get(), serializer.identifier(),
        Serializers.manifestFor(serializer, change)).get();
    assertEquals(change, back);
    WebhookDeadLetterPolicy policy = ((CatalogChange) back).getWebhookEndpointSet().getDeadLetters();
    assertTrue(policy.hasEnabled() && policy.hasAfterAttempts() && !policy.hasAfterMillis(),
        "a field set to its default is still given, and one not given is not: " + policy);
    WebhookEndpointSet before = WebhookEndpointSet.parseFrom(WebhookEndpointSet.newBuilder().setSubscription("sub_1")
        .setUrl("https://hooks.example/a").setBatchSize(10).setConcurrency(2).build().toByteArray());
    assertFalse(before.hasDeadLetters());
  }

  @Test
  void aManifestDeclaredTwiceStopsTheStart() {
    MessageCodec<?, ?> first = MessageCodec.stored(CatalogChange.getDefaultInstance());
    MessageCodec<?, ?> second = MessageCodec.of("CatalogChange", SubscriptionEntity.Detach.class, Detach.parser(),
        (detach, refs) -> Detach.getDefaultInstance(), (detach, refs) -> new SubscriptionEntity.Detach(""));
    IllegalStateException failure = assertThrows(IllegalStateException.class,
        () -> MessageRegistry.of(List.of(List.of(first), List.of(second))));
    assertTrue(failure.getMessage().contains("manifest CatalogChange is declared twice"), failure.getMessage());
  }

  @Test
  void aClassDeclaredTwiceStopsTheStart() {
    MessageCodec<?, ?> first = MessageCodec.of("Detach", SubscriptionEntity.Detach.class, Detach.parser(),
        (detach, refs) -> Detach.getDefaultInstance(), (detach, refs) -> new SubscriptionEntity.Detach(""));
    MessageCodec<?, ?> second = MessageCodec.of("DetachAgain", SubscriptionEntity.Detach.class, Detach.parser(),
        (detach, refs) -> Detach.getDefaultInstance(), (detach, refs) -> new SubscriptionEntity.Detach(""));
    assertThrows(IllegalStateException.class, () -> MessageRegistry.of(List.of(List.of(first, second))));
  }

  @Test
  void aClassCoveredByItsInterfaceAndByItselfStopsTheStart() {
    MessageCodec<?, ?> family = MessageCodec.of("AppendReply", TopicPartition.AppendResult.class,
        io.tollgate.protocols.v1.cluster.AppendReply.parser(),
        (result, refs) -> io.tollgate.protocols.v1.cluster.AppendReply.getDefaultInstance(),
        (reply, refs) -> new TopicPartition.AppendFailed(new Rejection("", "")));
    MessageCodec<?, ?> member = MessageCodec.of("AppendFailed", TopicPartition.AppendFailed.class,
        io.tollgate.protocols.v1.cluster.AppendReply.parser(),
        (failed, refs) -> io.tollgate.protocols.v1.cluster.AppendReply.getDefaultInstance(),
        (reply, refs) -> new TopicPartition.AppendFailed(new Rejection("", "")));
    assertThrows(IllegalStateException.class, () -> MessageRegistry.of(List.of(List.of(member), List.of(family))));
  }

  @Test
  void anUndeclaredMessageIsRefusedByName() {
    BrokerSerializer serializer = (BrokerSerializer) SerializationExtension.get(testKit.system())
        .findSerializerFor(new SubscriptionEntity.SessionReplaced());
    IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
        () -> serializer.manifest(Detach.getDefaultInstance()));
    assertTrue(failure.getMessage().contains(Detach.class.getName()), failure.getMessage());
    assertThrows(java.io.NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "NoSuchMessage"));
  }
}
