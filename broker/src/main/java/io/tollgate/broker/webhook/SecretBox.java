package io.tollgate.broker.webhook;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signing secrets at rest: AES-256-GCM under the key the operator gives every node
 * ({@code tollgate.webhooks.secret-key}). A sealed secret is a random 12-byte nonce, then the
 * ciphertext and its 16-byte tag; the subscription id is the associated data, so a secret copied
 * onto another subscription's endpoint does not open. The catalog journal, its snapshots and
 * backups so hold no secret a reader could sign with.
 */
public final class SecretBox {
  /** The key is 32 bytes: AES-256. */
  public static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** A sealed secret that does not open under this node's key (another key, or altered bytes). */
  public static final class UnreadableSecret extends RuntimeException {
    UnreadableSecret(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final SecretKeySpec key;
  private final SecureRandom random;

  public SecretBox(byte[] key, SecureRandom random) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("the webhook secret key must be " + KEY_BYTES + " bytes, not " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.random = random;
  }

  public byte[] seal(byte[] secret, String subscription) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, subscription);
      byte[] sealed = cipher.doFinal(secret);
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  public byte[] open(byte[] sealed, String subscription) {
    if (sealed.length <= NONCE_BYTES) {
      throw new UnreadableSecret("the stored secret of " + subscription + " is too short", null);
    }
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(sealed, NONCE_BYTES), subscription);
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new UnreadableSecret("the stored secret of " + subscription + " does not open under this node's "
          + "webhook key; every node needs the same tollgate.webhooks.secret-key", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String subscription) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(subscription.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }
}
