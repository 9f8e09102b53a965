package io.tollgate.broker.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data directory holds the admin key and every tenant's events: a missing one is
 * created readable by the node's user only (0700), whatever the umask. An existing one is the
 * operator's (a volume mount may need its group), so it is only warned about when others can read it.
 */
final class DataDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

  private DataDirectory() {}

  static Path create(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
      if (permissions.contains(PosixFilePermission.OTHERS_READ) || permissions.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        LOG.atWarn().addKeyValue("data_dir", dir.toString())
            .addKeyValue("permissions", PosixFilePermissions.toString(permissions))
            .log("the data directory is readable by other users; chmod 700 it");
      }
      return dir;
    }
    if (dir.getParent() != null) {
      Files.createDirectories(dir.getParent());
    }
    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    // The umask may have taken bits away from the attribute, never added; set them exactly.
    Files.setPosixFilePermissions(dir, OWNER_ONLY);
    return dir;
  }
}
