package io.tollgate.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
  @Test
  void aMissingDataDirectoryIsCreatedForItsOwnerOnlyWithItsParents(@TempDir Path dir) throws IOException {
    Path data = DataDirectory.create(dir.resolve("var").resolve("tollgate"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
  }

  @Test
  void anExistingDataDirectoryKeepsTheOperatorsPermissions(@TempDir Path dir) throws IOException {
    Path data = Files.createDirectory(dir.resolve("data"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-x---")));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));
    DataDirectory.create(data);
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
  }
}
