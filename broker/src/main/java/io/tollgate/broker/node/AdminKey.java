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
  /** 32 characters of even a 16-letter alphabet hold 128 bits; a generated key has 43 of 64 (256 bits). */
  static final int MIN_LENGTH = 32;
  /** Keeps out long keys of little variety, such as 32 times the same letter or a repeated short word. */
  static final int MIN_DISTINCT_CHARACTERS = 12;

  /**
   * The node refuses to start with a weak operator key, from the environment or the file alike,
   * since whoever guesses it owns every tenant. The rule: at least {@link #MIN_LENGTH} characters,
   * at least {@link #MIN_DISTINCT_CHARACTERS} of them different, no whitespace.
   */
  public static AdminKey loadOrCreate(Path dataDir, String fromEnvironment) throws IOException {
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return new AdminKey(requireStrong(fromEnvironment.trim(), ENV), false);
    }
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      return new AdminKey(requireStrong(Files.readString(file, StandardCharsets.UTF_8).trim(), file.toString()), false);
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

  /** The key, if it is strong enough; else why not, naming where it came from but never the key. */
  static String requireStrong(String secret, String from) {
    long distinct = secret.chars().distinct().count();
    if (secret.length() < MIN_LENGTH || distinct < MIN_DISTINCT_CHARACTERS || secret.chars().anyMatch(Character::isWhitespace)) {
      throw new WeakAdminKey("the operator key in " + from + " is too weak: it has " + secret.length()
          + " characters, " + distinct + " of them different; an operator key needs at least " + MIN_LENGTH
          + " characters, at least " + MIN_DISTINCT_CHARACTERS + " different, and no spaces. Generate one with"
          + " `openssl rand -base64 32`, or unset " + ENV + " to have the node make one");
    }
    return secret;
  }

  /** A weak operator key: the node does not start. */
  public static final class WeakAdminKey extends IllegalStateException {
    WeakAdminKey(String message) {
      super(message);
    }
  }
}
