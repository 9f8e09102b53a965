package io.tollgate.broker.subscription;

import io.tollgate.protocols.v1.CloudEvent;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * What a tail entry's objects take in the heap, estimated from sizes already at hand, so that
 * the node's tail budget ({@link TailBudget}) counts what the tails really hold rather than the
 * entries' stored size, which is 5 to 7 times less. No object graph is walked: an event counts
 * its serialized size (which Protobuf has already computed and kept when the entry was read)
 * plus the fixed cost of the objects that hold it, and a rendered piece its length plus its
 * object's. The sizes are HotSpot's on a 64-bit JVM with compressed references (any heap under
 * 32 GiB): 12-byte object headers, 4-byte references, 8-byte alignment. HeapEstimateTest
 * measures them against JOL.
 *
 * <p>Text is counted at one byte per character: Java keeps a string whose characters are all
 * Latin-1 that way, and any other at two, so the rendered pieces of events whose text goes
 * beyond Latin-1 are counted up to half too low (a decoded event's fields count their UTF-8
 * size, which is at least what they hold).
 */
final class HeapEstimate {
  /** A {@link Delivery}: header, three references, two longs. */
  static final long DELIVERY = 48;
  /** Its {@code Cursor} record (the topic's name is the partition's, shared). */
  static final long CURSOR = 32;
  /** A delivery's map of derived pieces, with the table its first piece makes. */
  static final long DERIVED_MAP = 64 + 32;
  /** One piece's place in that map: a node, and its share of the table as it grows. */
  static final long DERIVED_PLACE = 40;
  /** A {@link TailEntry}, its {@link EntryHeap} and its immutable list, before the list's array. */
  static final long ENTRY = 40 + 24 + 24;
  /** A decoded {@code CloudEvent} message object, before its fields' contents. */
  static final long EVENT = 56;
  /** A set string or bytes field of a message: a {@code String} or a Protobuf {@code ByteString}, and its array's header. */
  static final long FIELD = 44;
  /** An event's attribute map: its {@code MapField}, the map it wraps and that map's first table. */
  static final long ATTRIBUTE_MAP = 32 + 24 + 56 + 80;
  /** One attribute's entry in its map. */
  static final long ATTRIBUTE_ENTRY = 40;
  /** One attribute: its entry, the key string and the {@code AttributeValue} message with its value's object. */
  static final long ATTRIBUTE = ATTRIBUTE_ENTRY + 44 + 40 + 44;
  /** Fields every event sets: id, source, spec version and type. */
  private static final int REQUIRED_FIELDS = 4;

  private HeapEstimate() {
  }

  /** A tail entry as decoded, before anything is rendered from it. */
  static long entry(List<Delivery> deliveries) {
    long bytes = ENTRY + array(4L * deliveries.size());
    for (Delivery delivery : deliveries) {
      bytes += DELIVERY + CURSOR + DERIVED_MAP + event(delivery.event());
    }
    return bytes;
  }

  /** A decoded event: its message object, its fields and their contents. */
  static long event(CloudEvent event) {
    int attributes = event.getAttributesCount();
    int fields = REQUIRED_FIELDS + (event.getDataCase() == CloudEvent.DataCase.DATA_NOT_SET ? 0 : 1);
    return EVENT + FIELD * fields + (attributes == 0 ? 0 : ATTRIBUTE_MAP + ATTRIBUTE * attributes)
        + event.getSerializedSize();
  }

  /**
   * A piece kept with {@code owner} ({@link Delivery#rendered}, {@link Delivery#redactedBy}): its
   * place in the owner's map, and the piece unless it is the owner itself (a redaction that
   * changed nothing). A redacted delivery shares its owner's cursor and most of its event.
   */
  static long piece(Object piece, Delivery owner) {
    return DERIVED_PLACE + pieceItself(piece, owner);
  }

  private static long pieceItself(Object piece, Delivery owner) {
    if (piece instanceof String text) {
      return string(text);
    }
    if (piece instanceof byte[] bytes) {
      return array(bytes.length);
    }
    if (piece instanceof ByteString bytes) {
      return 16 + array(bytes.size());
    }
    if (piece instanceof Delivery redacted) {
      return redacted == owner ? 0 : DELIVERY + DERIVED_MAP + redactedEvent(redacted.event());
    }
    return 16;
  }

  /**
   * A redacted copy of a decoded event: Protobuf's builder gives it a message object, an attribute
   * map and data of its own, and shares the original's other fields and attributes.
   */
  static long redactedEvent(CloudEvent event) {
    int attributes = event.getAttributesCount();
    long data = switch (event.getDataCase()) {
      case JSON_DATA -> FIELD + event.getJsonData().length();
      case TEXT_DATA -> FIELD + event.getTextData().length();
      case BINARY_DATA -> FIELD + event.getBinaryData().size();
      case DATA_NOT_SET -> 0;
    };
    return EVENT + (attributes == 0 ? 0 : ATTRIBUTE_MAP + ATTRIBUTE_ENTRY * attributes) + data;
  }

  static long string(String text) {
    return 24 + array(text.length());
  }

  /** A byte array of {@code length} bytes: its header, aligned to 8 bytes. */
  static long array(long length) {
    return (16 + length + 7) & ~7L;
  }
}
