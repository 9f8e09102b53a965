package io.tollgate.broker.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * API key secrets: {@code <key id>.<256 random bits>}. The id part finds the key; only a
 * SHA-256 of the whole secret is stored. A fast hash is enough because the secret is random
 * and long, not a password a person chose.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  public static String newSecret(String keyId) {
    byte[] bits = new byte[32];
    RANDOM.nextBytes(bits);
    return keyId + '.' + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  /** The key id a secret names, or null when the text is not shaped like a key secret. */
  public static String keyIdOf(String secret) {
    int dot = secret.indexOf('.');
    return dot > 0 && secret.startsWith("key_") ? secret.substring(0, dot) : null;
  }

  public static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public static boolean matches(String secret, byte[] expectedSha256) {
    return MessageDigest.isEqual(sha256(secret), expectedSha256);
  }
}
