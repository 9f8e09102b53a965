package io.tollgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The SDK is a library an application adds to its own classpath: it brings the public wire
 * contract and its clients, and neither the CLI's libraries nor the node's internals. The
 * enforcer's bannedDependencies rule in this module's pom keeps such artifacts out; this test
 * also catches internal classes that arrive inside an allowed artifact (say, a journal schema
 * moved back into the protocols module).
 */
class SdkClasspathTest {
  /** Class and resource paths no jar or directory of the SDK's classpath may hold. */
  private static final List<String> FORBIDDEN = List.of(
      "picocli/",
      "org/HdrHistogram/",
      "org/apache/pekko/",
      "scala/",
      "io/tollgate/cli/",
      "io/tollgate/broker/",
      "io/tollgate/persistence/",
      "io/tollgate/billing/",
      "io/tollgate/protocols/redaction/",
      "io/tollgate/protocols/v1/journal/",
      "io/tollgate/protocols/v1/cluster/",
      "tollgate/v1/journal.proto",
      "tollgate/v1/cluster.proto");

  @Test
  void theClasspathHoldsNoCliLibraryAndNoBrokerInternals() {
    Path ownTests = Path.of("target", "test-classes").toAbsolutePath();
    List<String> found = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath();
      if (path.equals(ownTests)) {
        continue;
      }
      for (String name : namesIn(path)) {
        if (FORBIDDEN.stream().anyMatch(name::startsWith)) {
          found.add(name + " in " + path + (Files.isDirectory(path) ? " (left from an older build? ./mvnw clean)" : ""));
          break;
        }
      }
    }
    assertEquals(List.of(), found);
  }

  /** The scan above passes only if it saw nothing; here it must see what is there. */
  @Test
  void theScanReadsJarsAndDirectories() throws URISyntaxException {
    assertTrue(namesIn(locationOf(com.google.protobuf.Message.class)).contains("com/google/protobuf/Message.class"));
    assertTrue(namesIn(locationOf(Subscriber.class)).contains("io/tollgate/client/Subscriber.class"));
  }

  private static Path locationOf(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** The class and resource names a classpath entry holds, with {@code /} as separator. */
  private static List<String> namesIn(Path entry) {
    try {
      if (Files.isDirectory(entry)) {
        try (Stream<Path> files = Files.walk(entry)) {
          return files.filter(Files::isRegularFile)
              .map(file -> entry.relativize(file).toString().replace(File.separatorChar, '/'))
              .toList();
        }
      }
      if (Files.isRegularFile(entry)) {
        try (ZipFile jar = new ZipFile(entry.toFile())) {
          return jar.stream().map(ZipEntry::getName).toList();
        }
      }
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
