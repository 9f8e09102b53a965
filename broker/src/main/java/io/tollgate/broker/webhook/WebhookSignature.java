package io.tollgate.broker.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing as the Standard Webhooks specification says: the {@code webhook-signature} header is
 * a space-separated list of {@code v1,<base64 HMAC-SHA256>} over {@code id.timestamp.body}, one
 * per secret that signs (two while a rotation overlaps), and a secret is shown to its consumer as
 * {@code whsec_} and the base64 of its bytes.
 */
public final class WebhookSignature {
  public static final String PREFIX = "whsec_";
  /** 32 random bytes: as long as the HMAC-SHA256 block's key needs to be strong. */
  private static final int SECRET_BYTES = 32;

  private WebhookSignature() {}

  public static byte[] newSecret(SecureRandom random) {
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    return secret;
  }

  /** The secret as its consumer configures it: {@code whsec_} and base64. */
  public static String shown(byte[] secret) {
    return PREFIX + Base64.getEncoder().encodeToString(secret);
  }

  /** The {@code webhook-signature} header of a request. */
  public static String header(String id, long timestampSeconds, byte[] body, List<byte[]> secrets) {
    return secrets.stream().map(secret -> "v1," + sign(id, timestampSeconds, body, secret))
        .collect(Collectors.joining(" "));
  }

  /**
   * What a receiver checks: whether {@code header} (a {@code webhook-signature}) holds a {@code v1}
   * signature of {@code id.timestamp.body} by the secret its consumer was shown ({@code whsec_…}).
   * Anything malformed is simply not verified. The timestamp's age is the receiver's to judge.
   */
  public static boolean verifies(String shownSecret, String id, String timestamp, byte[] body, String header) {
    if (shownSecret == null || !shownSecret.startsWith(PREFIX) || id == null || timestamp == null || header == null) {
      return false;
    }
    byte[] secret;
    long seconds;
    try {
      secret = Base64.getDecoder().decode(shownSecret.substring(PREFIX.length()));
      seconds = Long.parseLong(timestamp);
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = ("v1," + sign(id, seconds, body, secret)).getBytes(StandardCharsets.US_ASCII);
    for (String signature : header.trim().split(" +")) {
      if (MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
        return true;
      }
    }
    return false;
  }

  static String sign(String id, long timestampSeconds, byte[] body, byte[] secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
