package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tollgate.broker.position.PartitionRef;
import io.tollgate.protocols.redaction.Redaction;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.EventsAppended;
import io.tollgate.protocols.v1.journal.RedactionRule;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/**
 * The heap estimate of a tail entry against what the entry really retains, measured by JOL: the
 * objects reachable from it that a second entry of the same shape does not share with the first
 * (the partition's topic name, Protobuf's defaults and the renderings' keys are shared by all).
 */
class HeapEstimateTest {
  static {
    // JOL reads records' field offsets (TailEntry, Cursor) only this way; it reads the property once, when first used.
    System.setProperty("jol.magicFieldOffset", "true");
  }

  /** How far the estimate may be from the measurement, either way. */
  private static final double FACTOR = 1.25;
  private static final PartitionRef PARTITION = new PartitionRef("shop.orders", 3);
  private static final Redaction MASK_CARD = Redaction.parse(List.of(
      RedactionRule.newBuilder().setPointer("/card").setAction("mask").build()));

  /** An entry as the tail's reader decodes it: the journal's bytes parsed, as the store's serializer parses them. */
  private static TailEntry decoded(long sequence, int events, IntFunction<CloudEvent> event) throws Exception {
    EventsAppended.Builder appended = EventsAppended.newBuilder().setFirstOffset(sequence * events)
        .setAppendedAtMillis(1_700_000_000_000L);
    for (int i = 0; i < events; i++) {
      appended.addEvents(event.apply(i));
    }
    EventsAppended stored = EventsAppended.parseFrom(appended.build().toByteArray());
    return TailEntry.of(PARTITION, new EventEnvelope(Offset.sequence(sequence), PARTITION.persistenceId(), sequence,
        stored, 0L));
  }

  private static CloudEvent order(int i) {
    String data = "{\"order\":" + i + ",\"card\":\"4111111111111111\",\"items\":[" + "\"sku-0000\",".repeat(18)
        + "\"sku-last\"]}";
    return CloudEvent.newBuilder().setId("order-" + i + "-7f3a9c2e").setSource("/shop/checkout").setSpecVersion("1.0")
        .setType("shop.order.created")
        .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
        .putAttributes("time", AttributeValue.newBuilder().setCeTimestamp("2026-12-07T10:30:00.123Z").build())
        .putAttributes("subject", AttributeValue.newBuilder().setCeString("customer-" + i).build())
        .setJsonData(data).build();
  }

  /** What {@code entry} retains beyond what {@code twin}, an entry of the same shape, shares with it. */
  private static long measured(TailEntry entry, TailEntry twin) {
    return GraphLayout.parseInstance(twin, entry).totalSize() - GraphLayout.parseInstance(twin).totalSize();
  }

  private static void assertWithinFactor(long measured, long estimated, String what) {
    String report = what + ": estimated " + estimated + " bytes, measured " + measured;
    assertTrue(estimated <= measured * FACTOR && measured <= estimated * FACTOR, report);
  }

  /** Every piece the streams of a node may keep: both wire forms, webhook bodies, and a redacted delivery's frames. */
  private static void renderEverything(TailEntry entry) {
    for (Delivery delivery : entry.deliveries()) {
      delivery.rendered(StreamFormat.Json.EVENT_FRAME);
      delivery.rendered(StreamFormat.Json.ITEM_UTF8);
      delivery.rendered(StreamFormat.Protobuf.EVENT_FRAME);
      delivery.redactedBy(MASK_CARD).rendered(StreamFormat.Json.EVENT_FRAME);
    }
  }

  @Test
  void aDecodedEntryOfJsonEventsWithAttributesIsEstimatedWithinTheFactor() throws Exception {
    TailEntry twin = decoded(1, 10, HeapEstimateTest::order);
    TailEntry entry = decoded(2, 10, HeapEstimateTest::order);
    assertWithinFactor(measured(entry, twin), entry.heap().bytes(), "10 JSON events as decoded");
    assertTrue(entry.heap().bytes() > 3 * entry.bytes(), "decoded, already more than three times what is stored: "
        + entry.heap().bytes() + " against " + entry.bytes());
  }

  @Test
  void theSameEntryWithEveryPieceRenderedFromItIsEstimatedWithinTheFactor() throws Exception {
    TailEntry twin = decoded(1, 10, HeapEstimateTest::order);
    TailEntry entry = decoded(2, 10, HeapEstimateTest::order);
    renderEverything(twin);
    renderEverything(entry);
    assertWithinFactor(measured(entry, twin), entry.heap().bytes(), "10 JSON events, every form rendered");
  }

  @Test
  void smallTextEventsWithoutAttributesAreEstimatedWithinTheFactor() throws Exception {
    IntFunction<CloudEvent> small = i -> CloudEvent.newBuilder().setId("e" + i).setSource("/s").setSpecVersion("1.0")
        .setType("tick").setTextData("tick number " + i).build();
    TailEntry twin = decoded(1, 1, small);
    TailEntry entry = decoded(2, 1, small);
    assertWithinFactor(measured(entry, twin), entry.heap().bytes(), "one small event as decoded");
    renderEverything(twin);
    renderEverything(entry);
    assertWithinFactor(measured(entry, twin), entry.heap().bytes(), "one small event, every form rendered");
  }

  @Test
  void binaryEventsAreEstimatedWithinTheFactor() throws Exception {
    IntFunction<CloudEvent> binary = i -> CloudEvent.newBuilder().setId("b" + i).setSource("/camera/7")
        .setSpecVersion("1.0").setType("frame").setBinaryData(ByteString.copyFrom(new byte[4096])).build();
    TailEntry twin = decoded(1, 4, binary);
    TailEntry entry = decoded(2, 4, binary);
    assertWithinFactor(measured(entry, twin), entry.heap().bytes(), "4 binary events of 4 KiB as decoded");
    renderEverything(twin);
    renderEverything(entry);
    assertWithinFactor(measured(entry, twin), entry.heap().bytes(), "4 binary events, every form rendered");
  }
}
