package io.tollgate.persistence.rocksdb;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Fresh store directories and the config that points the embedded storage profile at them. */
public final class TestStores {

  private TestStores() {}

  /** A new empty directory under target/, so that stores are on the real disk, not tmpfs. */
  public static Path newDir(String name) {
    try {
      Path base = Files.createDirectories(Path.of("target", "test-stores"));
      return Files.createTempDirectory(base, name + "-").toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Config config(Path dir) {
    return config(dir, "");
  }

  public static Config config(Path dir, String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseString(
            """
            pekko.actor.allow-java-serialization = off
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = WARNING
            """))
        .withValue("tollgate.persistence.rocksdb.dir", ConfigValueFactory.fromAnyRef(dir.toString()))
        .withFallback(ConfigFactory.parseResourcesAnySyntax("tollgate-storage-embedded"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  public static long sizeOf(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> {
        try {
          return Files.size(file);
        } catch (IOException e) {
          return 0L; // deleted by RocksDB while walking
        }
      }).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
