package io.tollgate.broker.auth;

import java.security.SecureRandom;

/** Identifiers such as {@code acc_5k2m9x0q4w7r1t3v}: a type prefix and 80 random bits in base 32. */
public final class Ids {
  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  public static String next(String prefix) {
    byte[] bits = new byte[10];
    RANDOM.nextBytes(bits);
    StringBuilder id = new StringBuilder(prefix.length() + 17).append(prefix).append('_');
    long buffer = 0;
    int buffered = 0;
    for (byte b : bits) {
      buffer = (buffer << 8) | (b & 0xff);
      buffered += 8;
      while (buffered >= 5) {
        buffered -= 5;
        id.append(ALPHABET[(int) (buffer >>> buffered) & 31]);
      }
    }
    return id.toString();
  }
}
