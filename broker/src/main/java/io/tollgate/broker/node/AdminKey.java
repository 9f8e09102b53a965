package io.tollgate.broker.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The operator's key: {@code TOLLGATE_ADMIN_KEY} when set, else the one kept in the data
 * directory, else a new one, written there readable by the owner only.
 */
public record AdminKey(String secret, boolean generated) {
  public static final String ENV = "TOLLGATE_ADMIN_KEY";
  static final String FILE = "admin.key";

  public static AdminKey loadOrCreate(Path dataDir, String fromEnvironment) throws IOException {
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return new AdminKey(fromEnvironment.trim(), false);
    }
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      return new AdminKey(Files.readString(file, StandardCharsets.UTF_8).trim(), false);
    }
    byte[] bits = new byte[32];
    new SecureRandom().nextBytes(bits);
    String secret = "admin." + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    Files.createDirectories(dataDir);
    Path temporary = Files.createTempFile(dataDir, FILE, ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temporary, secret + "\n", StandardCharsets.UTF_8);
    Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return new AdminKey(secret, true);
  }
}
