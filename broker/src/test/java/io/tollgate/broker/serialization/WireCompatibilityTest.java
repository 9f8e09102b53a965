package io.tollgate.broker.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.serialization.codec.MessageCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * During a rolling upgrade nodes of two releases send each other cluster messages, and every
 * release replays the journals of all earlier ones. The fixture of each release
 * (src/test/resources/wire/RELEASE/) holds what that release wrote: every declared message
 * type's {@link MessageExamples} example as its serializer wrote it ({@code messages.json}:
 * manifest, Java class, Protobuf type, bytes), and the Protobuf descriptors it had
 * ({@code descriptors.pb}, a FileDescriptorSet). {@link #writeFixture} writes them; a fixture
 * is never written again, only added (docs/operations.md, "Upgrades").
 *
 * <p>This release must read the old bytes (every old manifest still declared, for the same
 * Protobuf type) to the value the old release serialized, and what it writes of every message
 * must read with the old descriptors as the same fields: no field renumbered, retyped or
 * dropped. The examples are the same values at every release because each type's are built from
 * a fresh {@link MessageExamples} with one actor reference that names no incarnation.
 */
class WireCompatibilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIXTURES = "/wire/";
  /** The releases whose messages this one must read, oldest first. */
  private static final List<String> RELEASES = List.of("2026-12-07-b0cc9b1");
  /**
   * Manifests whose Java type gained a component or whose message gained a field since the
   * release (its old bytes read to the new value with the default, so they cannot equal this
   * release's example), or became another type (WebhookRecordAttempt: one attempt, now
   * {@code RecordAttempts}, which reads the old bytes as a list of that one). Only the wire
   * checks hold them; the next release's fixture empties this.
   */
  private static final Map<String, Set<String>> EVOLVED_SINCE = Map.of(
      "2026-12-07-b0cc9b1", Set.of("CatalogSnapshot", "WebhookRecordAttempt", "PartitionAdvanced", "Attach",
          "Attached", "AuditIndexed", "AuditSnapshot", "AuditPage", "WebhookReplayGaveUp", "ReleaseNumber"));
  private static final String SYSTEM = "wire-compatibility";
  private static final String REPLY_TO = "pekko://" + SYSTEM + "/user/reply-to";

  private static final ActorTestKit testKit = ActorTestKit.create(SYSTEM, ConfigFactory.parseString(
          "pekko.actor.provider = local")
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final Serialization serialization = SerializationExtension.get(testKit.system());
  private static final ActorRef<Object> replyTo = ActorRefResolver.get(testKit.system()).resolveActorRef(REPLY_TO);

  /** One message as a release wrote it. */
  private record Written(String manifest, String type, String proto, byte[] bytes) {}

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyManifestOfEachEarlierReleaseIsStillDeclaredForTheSameProtobufType() throws Exception {
    List<String> missing = new ArrayList<>();
    for (String release : RELEASES) {
      for (Written written : written(release)) {
        MessageCodec<?, ?> codec = BrokerSerializer.MESSAGES.forManifest(written.manifest());
        if (codec == null) {
          missing.add(release + ": " + written.manifest() + " is no longer declared");
        } else if (!protoOf(codec).getFullName().equals(written.proto())) {
          missing.add(release + ": " + written.manifest() + " is now " + protoOf(codec).getFullName()
              + ", was " + written.proto());
        }
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void whatEachEarlierReleaseWroteReadsHereAsTheValueItWrote() throws Exception {
    int compared = 0;
    for (String release : RELEASES) {
      Set<String> evolved = EVOLVED_SINCE.getOrDefault(release, Set.of());
      for (Written written : written(release)) {
        Object read = read(written);
        if (evolved.contains(written.manifest())) {
          continue;
        }
        Object example = exampleOf(written.manifest(), written.type());
        assertNotNull(example, release + ": " + written.type() + " is no longer a type of " + written.manifest());
        assertEquals(example, read, release + ": " + written.manifest() + " (" + written.type() + ")");
        compared++;
      }
    }
    assertTrue(compared > 50, "compared only " + compared);
  }

  @Test
  void whatThisReleaseWritesOfAnEarlierReleasesMessageReadsWithItsDescriptorsAsTheSameFields() throws Exception {
    for (String release : RELEASES) {
      Map<String, FileDescriptor> old = oldDescriptors(release);
      for (Written written : written(release)) {
        Descriptor descriptor = find(old.values(), written.proto());
        byte[] again = serialization.serialize(read(written)).get();
        DynamicMessage asWritten = DynamicMessage.parseFrom(descriptor, written.bytes());
        DynamicMessage asWrittenAgain = DynamicMessage.parseFrom(descriptor, again);
        String name = release + ": " + written.manifest() + " (" + written.type() + ")";
        assertEquals(List.of(), DescriptorCompatibility.unreadableKnownFields(asWrittenAgain), name);
        assertEquals(DescriptorCompatibility.asKnown(asWritten), DescriptorCompatibility.asKnown(asWrittenAgain), name);
      }
    }
  }

  @Test
  void everyMessageOfThisReleaseReadsWithTheEarlierDescriptorsWithoutAFieldItCannotRead() throws Exception {
    for (String release : RELEASES) {
      Map<String, FileDescriptor> old = oldDescriptors(release);
      Set<String> oldManifests = new LinkedHashSet<>();
      written(release).forEach(written -> oldManifests.add(written.manifest()));
      int checked = 0;
      for (MessageCodec<?, ?> codec : BrokerSerializer.MESSAGES.codecs()) {
        if (!oldManifests.contains(codec.manifest())) {
          continue;
        }
        Descriptor descriptor = find(old.values(), protoOf(codec).getFullName());
        for (Object example : new MessageExamples(replyTo).of(codec.type())) {
          DynamicMessage read = DynamicMessage.parseFrom(descriptor, serialization.serialize(example).get());
          assertEquals(List.of(), DescriptorCompatibility.unreadableKnownFields(read),
              release + ": " + codec.manifest() + " (" + example.getClass().getName() + ")");
          checked++;
        }
      }
      assertTrue(checked > 50, "checked only " + checked);
    }
  }

  @Test
  void theProtobufSchemasEvolvedOnlyAsProtobufAllowsSinceEachEarlierRelease() throws Exception {
    for (String release : RELEASES) {
      assertEquals(List.of(), DescriptorCompatibility.breaks(oldDescriptors(release).values(), currentFiles()), release);
    }
  }

  /** The schema check is not vacuous: a retyped, a removed and a renumbered field of a copy of the old schema show. */
  @Test
  void aRetypedRemovedOrRenumberedFieldIsABreak() throws Exception {
    FileDescriptorSet set = oldSet(RELEASES.get(RELEASES.size() - 1));
    Map<String, FileDescriptor> old = DescriptorCompatibility.filesOf(set);
    FileDescriptorSet.Builder changed = set.toBuilder();
    FileDescriptorProto.Builder journal = changed.getFileBuilderList().stream()
        .filter(file -> file.getName().endsWith("journal.proto")).findFirst().orElseThrow();
    DescriptorProto.Builder usage = journal.getMessageTypeBuilderList().stream()
        .filter(message -> message.getName().equals("UsageRecorded")).findFirst().orElseThrow();
    FieldDescriptorProto.Builder first = usage.getFieldBuilder(0);
    first.setType(first.getType() == FieldDescriptorProto.Type.TYPE_STRING
        ? FieldDescriptorProto.Type.TYPE_BYTES : FieldDescriptorProto.Type.TYPE_STRING).clearTypeName();
    usage.getFieldBuilder(1).setNumber(999);
    usage.removeField(2);

    List<String> breaks = DescriptorCompatibility.breaks(old.values(),
        DescriptorCompatibility.filesOf(changed.build()).values());
    assertEquals(3, breaks.size(), breaks.toString());
    assertTrue(breaks.stream().allMatch(line -> line.startsWith("tollgate.v1.UsageRecorded field ")), breaks.toString());
  }

  /**
   * Writes this release's fixture into the directory the property names:
   * {@code ./mvnw -B -q -o -pl broker -am test -Dtest='WireCompatibilityTest#writeFixture'
   * -Dsurefire.failIfNoSpecifiedTests=false -Dtollgate.wire.fixture=$PWD/broker/src/test/resources/wire/RELEASE}.
   */
  @Test
  @EnabledIfSystemProperty(named = "tollgate.wire.fixture", matches = ".+")
  void writeFixture() throws Exception {
    Path target = Path.of(System.getProperty("tollgate.wire.fixture"));
    ObjectNode fixture = JSON.createObjectNode();
    fixture.put("reply_to", REPLY_TO);
    ArrayNode messages = fixture.putArray("messages");
    for (MessageCodec<?, ?> codec : BrokerSerializer.MESSAGES.codecs()) {
      for (Object example : new MessageExamples(replyTo).of(codec.type())) {
        byte[] bytes = serialization.serialize(example).get();
        assertEquals(example, read(new Written(codec.manifest(), example.getClass().getName(), "", bytes)),
            codec.manifest() + " does not read back as its example: fix that before writing a fixture");
        messages.addObject().put("manifest", codec.manifest()).put("type", example.getClass().getName())
            .put("proto", protoOf(codec).getFullName()).put("bytes", Base64.getEncoder().encodeToString(bytes));
      }
    }
    Files.createDirectories(target);
    JSON.writerWithDefaultPrettyPrinter().writeValue(target.resolve("messages.json").toFile(), fixture);
    Files.write(target.resolve("descriptors.pb"), DescriptorCompatibility.setOf(currentFiles()).toByteArray());
  }

  private static Object read(Written written) {
    return serialization.deserialize(written.bytes(), BrokerSerializer.IDENTIFIER, written.manifest()).get();
  }

  /** This release's example of the class, as declared under the manifest; null when the manifest no longer covers it. */
  private static Object exampleOf(String manifest, String type) {
    MessageCodec<?, ?> codec = BrokerSerializer.MESSAGES.forManifest(manifest);
    return new MessageExamples(replyTo).of(codec.type()).stream()
        .filter(example -> example.getClass().getName().equals(type)).findFirst().orElse(null);
  }

  private static Descriptor protoOf(MessageCodec<?, ?> codec) {
    try {
      return ((Message) codec.parser().parseFrom(new byte[0])).getDescriptorForType();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Collection<FileDescriptor> currentFiles() {
    Set<FileDescriptor> files = new LinkedHashSet<>();
    BrokerSerializer.MESSAGES.codecs().forEach(codec -> files.add(protoOf(codec).getFile()));
    return DescriptorCompatibility.withDependencies(files);
  }

  private static Descriptor find(Collection<FileDescriptor> files, String fullName) {
    for (FileDescriptor file : files) {
      String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
      if (fullName.startsWith(prefix)) {
        Descriptor found = file.findMessageTypeByName(fullName.substring(prefix.length()));
        if (found != null) {
          return found;
        }
      }
    }
    throw new AssertionError(fullName + " is not in the release's descriptors");
  }

  private static List<Written> written(String release) throws IOException {
    try (InputStream in = resource(release, "messages.json")) {
      JsonNode fixture = JSON.readTree(in);
      assertEquals(REPLY_TO, fixture.get("reply_to").asText(), release + " was written with another reply-to");
      List<Written> written = new ArrayList<>();
      for (JsonNode message : fixture.get("messages")) {
        written.add(new Written(message.get("manifest").asText(), message.get("type").asText(),
            message.get("proto").asText(), Base64.getDecoder().decode(message.get("bytes").asText())));
      }
      assertFalse(written.isEmpty(), release);
      return written;
    }
  }

  private static FileDescriptorSet oldSet(String release) throws IOException {
    try (InputStream in = resource(release, "descriptors.pb")) {
      return FileDescriptorSet.parseFrom(in);
    }
  }

  private static Map<String, FileDescriptor> oldDescriptors(String release) throws Exception {
    return DescriptorCompatibility.filesOf(oldSet(release));
  }

  private static InputStream resource(String release, String name) {
    InputStream in = WireCompatibilityTest.class.getResourceAsStream(FIXTURES + release + "/" + name);
    if (in == null) {
      throw new AssertionError("no " + name + " in the fixture of " + release);
    }
    return in;
  }
}
