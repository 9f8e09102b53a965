package io.tollgate.persistence.rocksdb;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serialization$;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Binary envelopes for events and snapshots. Payloads and metadata are serialized with Pekko
 * Serialization and stored as (serializerId, manifest, bytes), so the serializer can evolve or be
 * replaced per type without touching the store.
 *
 * <p>Event value: {@code format(1) timestamp(8) writerUuid adapterManifest payload
 * hasMetadata(1) [metadata] tagCount(4) tag*}. Snapshot payload: {@code format(1) payload
 * hasMetadata(1) [metadata]}. A payload is {@code serializerId(4) manifest bytes}; strings and
 * byte arrays are length-prefixed (4 bytes).
 */
final class PayloadCodec {

  private static final byte FORMAT_V1 = 1;

  /** A deserialized snapshot and its optional metadata. */
  record Snapshot(Object payload, Option<Object> metadata) {}

  private final ExtendedActorSystem system;
  private final Serialization serialization;

  PayloadCodec(ExtendedActorSystem system) {
    this.system = system;
    this.serialization = SerializationExtension.get(system);
  }

  /**
   * Encodes an event; a missing timestamp is set to now so that queries can report when the event
   * was stored. Throws if the payload cannot be serialized, which rejects just this write.
   */
  byte[] encodeEvent(PersistentRepr repr) {
    Object payload = repr.payload();
    Set<String> tags = Set.of();
    if (payload instanceof Tagged tagged) {
      payload = tagged.payload();
      tags = CollectionConverters.asJava(tagged.tags());
    }
    Output out = new Output();
    out.writeByte(FORMAT_V1);
    out.writeLong(repr.timestamp() != 0L ? repr.timestamp() : System.currentTimeMillis());
    out.writeString(repr.writerUuid());
    out.writeString(repr.manifest());
    writePayload(out, payload);
    writeOptionalPayload(out, repr.metadata());
    out.writeInt(tags.size());
    for (String tag : tags) {
      out.writeString(tag);
    }
    return out.toByteArray();
  }

  PersistentRepr decodeEvent(String persistenceId, long sequenceNr, byte[] value) {
    ByteBuffer in = ByteBuffer.wrap(value);
    checkFormat(in);
    long timestamp = in.getLong();
    String writerUuid = readString(in);
    String adapterManifest = readString(in);
    Object payload = readPayload(in);
    Option<Object> metadata = readOptionalPayload(in);
    // Tags are kept in the value for a future eventsByTag, but PersistentRepr does not carry them.
    PersistentRepr repr =
        PersistentRepr.apply(
                payload, sequenceNr, persistenceId, adapterManifest, false, ActorRef.noSender(),
                writerUuid)
            .withTimestamp(timestamp);
    return metadata.isDefined() ? repr.withMetadata(metadata.get()) : repr;
  }

  byte[] encodeSnapshot(Object snapshot, Option<Object> metadata) {
    Output out = new Output();
    out.writeByte(FORMAT_V1);
    writePayload(out, snapshot);
    writeOptionalPayload(out, metadata);
    return out.toByteArray();
  }

  Snapshot decodeSnapshot(byte[] value) {
    ByteBuffer in = ByteBuffer.wrap(value);
    checkFormat(in);
    Object payload = readPayload(in);
    return new Snapshot(payload, readOptionalPayload(in));
  }

  private void writePayload(Output out, Object payload) {
    Serializer serializer = serialization.findSerializerFor(payload);
    String manifest = Serializers.manifestFor(serializer, payload);
    // Transport information lets serializers turn ActorRefs in payloads into full paths.
    byte[] bytes =
        Serialization$.MODULE$.withTransportInformation(system, () -> serializer.toBinary(payload));
    out.writeInt(serializer.identifier());
    out.writeString(manifest);
    out.writeBytes(bytes);
  }

  private void writeOptionalPayload(Output out, Option<Object> payload) {
    if (payload.isDefined()) {
      out.writeByte(1);
      writePayload(out, payload.get());
    } else {
      out.writeByte(0);
    }
  }

  private Object readPayload(ByteBuffer in) {
    int serializerId = in.getInt();
    String manifest = readString(in);
    byte[] bytes = readBytes(in);
    return serialization.deserialize(bytes, serializerId, manifest).get();
  }

  private Option<Object> readOptionalPayload(ByteBuffer in) {
    return in.get() == 1 ? Option.apply(readPayload(in)) : Option.empty();
  }

  private static void checkFormat(ByteBuffer in) {
    byte format = in.get();
    if (format != FORMAT_V1) {
      throw new IllegalStateException("Unknown stored value format " + format);
    }
  }

  private static String readString(ByteBuffer in) {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return bytes;
  }

  /** A byte array writer without the checked exceptions of DataOutputStream over memory. */
  private static final class Output {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    private final DataOutputStream data = new DataOutputStream(bytes);

    void writeByte(int value) {
      run(() -> data.writeByte(value));
    }

    void writeInt(int value) {
      run(() -> data.writeInt(value));
    }

    void writeLong(long value) {
      run(() -> data.writeLong(value));
    }

    void writeString(String value) {
      writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    void writeBytes(byte[] value) {
      run(() -> {
        data.writeInt(value.length);
        data.write(value);
      });
    }

    byte[] toByteArray() {
      return bytes.toByteArray();
    }

    private interface IoAction {
      void run() throws IOException;
    }

    private static void run(IoAction action) {
      try {
        action.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
