package io.tollgate.broker.subscription;

import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.redaction.Redaction;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One event on its way to consumers, with the cursor a consumer acks it by and when its partition
 * stored it ({@code appendedAtMillis}, 0 when not known: publish-to-delivery latency is measured
 * from it). A delivery read from
 * a partition's shared tail is one object for every stream of the node that sends it, so what is
 * derived from it is derived once and kept here: its redacted form per plan rule set
 * ({@link #redactedBy}) and its encoded piece per wire form ({@link #rendered}). Streams then
 * only choose among those pieces and join them into frames. What a piece costs in heap is
 * counted to the tail entry the delivery came from ({@link EntryHeap}), so that the node's tail
 * budget sees it.
 */
public final class Delivery {
  /** An encoded form of a delivery; one constant per form, since it is the key its piece is kept under. */
  public interface Rendering<T> {
    T render(Delivery delivery);
  }

  private final Cursor cursor;
  private final long offset;
  private final CloudEvent event;
  private final long appendedAtMillis;
  /** Redacted forms by rule list, and pieces by {@link Rendering}; most deliveries have one or two. */
  private final ConcurrentHashMap<Object, Object> derived = new ConcurrentHashMap<>(2);
  /** The heap account of the tail entry this delivery was read in; null for one read otherwise. */
  private final EntryHeap heap;
  /** {@link #billedBytes()} once a stream has asked (-1 before): every stream of a shared tail bills the same. */
  private volatile long billedBytes = -1;

  public Delivery(Cursor cursor, long offset, CloudEvent event, long appendedAtMillis) {
    this(cursor, offset, event, appendedAtMillis, null);
  }

  /** A delivery of a tail entry, whose pieces are counted to {@code heap}. */
  Delivery(Cursor cursor, long offset, CloudEvent event, long appendedAtMillis, EntryHeap heap) {
    this.cursor = cursor;
    this.offset = offset;
    this.event = event;
    this.appendedAtMillis = appendedAtMillis;
    this.heap = heap;
  }

  public Delivery(Cursor cursor, long offset, CloudEvent event) {
    this(cursor, offset, event, 0);
  }

  public Cursor cursor() {
    return cursor;
  }

  public long offset() {
    return offset;
  }

  public CloudEvent event() {
    return event;
  }

  public long appendedAtMillis() {
    return appendedAtMillis;
  }

  /**
   * The bytes this delivery is billed for: the size of its event's data as this delivery carries
   * it (after redaction, on a redacted delivery), in bytes: UTF-8 for text and JSON data, the bytes
   * themselves for binary data. The envelope (id, type, attributes) and the wire form are left out,
   * so WebSocket JSON or Protobuf, SSE and webhooks bill the same event the same.
   */
  public long billedBytes() {
    long known = billedBytes;
    if (known < 0) {
      known = billedBytes(event);
      billedBytes = known;
    }
    return known;
  }

  /**
   * What {@link #billedBytes()} counts, of an event as its consumer saw it. Text is measured, not
   * encoded: asking the event for its data's bytes would encode the text and keep the bytes in
   * place of the text, which every renderer then decodes again.
   */
  public static long billedBytes(CloudEvent event) {
    return switch (event.getDataCase()) {
      case BINARY_DATA -> event.getBinaryData().size();
      case TEXT_DATA -> utf8Length(event.getTextData());
      case JSON_DATA -> utf8Length(event.getJsonData());
      case DATA_NOT_SET -> 0;
    };
  }

  /** How many bytes {@code text} takes in UTF-8 (a surrogate pair, two chars, takes four). */
  static long utf8Length(String text) {
    long bytes = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80) {
        bytes += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return bytes;
  }

  /**
   * This delivery as a plan with {@code redaction} lets its consumers see it: itself when the
   * rules name nothing in it, otherwise one redacted delivery shared by every stream whose plan
   * has the same rules.
   */
  Delivery redactedBy(Redaction redaction) {
    if (redaction.isEmpty()) {
      return this;
    }
    return derivedOnce(redaction.rules(), () -> {
      CloudEvent seen = redaction.apply(event);
      return seen == event ? this : new Delivery(cursor, offset, seen, appendedAtMillis, heap);
    });
  }

  /** This delivery's piece in {@code rendering}'s form, encoded by the first stream that needs it. */
  <T> T rendered(Rendering<T> rendering) {
    return derivedOnce(rendering, () -> rendering.render(this));
  }

  /**
   * Made outside the map's lock, since one piece may be made of another; two streams that race
   * may both make it, and both then use the one kept, which alone is counted.
   */
  @SuppressWarnings("unchecked")
  private <T> T derivedOnce(Object key, Supplier<T> make) {
    Object kept = derived.get(key);
    if (kept == null) {
      Object made = make.get();
      kept = derived.putIfAbsent(key, made);
      if (kept == null) {
        kept = made;
        if (heap != null) {
          heap.add(HeapEstimate.piece(made, this));
        }
      }
    }
    return (T) kept;
  }
}
