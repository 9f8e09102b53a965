package io.tollgate.broker.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
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
