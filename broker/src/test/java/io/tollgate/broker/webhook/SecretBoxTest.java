package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private final SecureRandom random = new SecureRandom();
  private final byte[] key = new byte[32];
  private final byte[] secret = "a signing secret of thirty-two b".getBytes(StandardCharsets.UTF_8);

  SecretBoxTest() {
    random.nextBytes(key);
  }

  @Test
  void aSealedSecretOpensUnderTheSameKeyForTheSameSubscription() {
    SecretBox box = new SecretBox(key, random);
    byte[] sealed = box.seal(secret, "sub_1");
    assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("signing secret"));
    assertArrayEquals(secret, new SecretBox(key.clone(), random).open(sealed, "sub_1"));
  }

  @Test
  void sealingTwiceGivesDifferentBytes() {
    SecretBox box = new SecretBox(key, random);
    assertFalse(Arrays.equals(box.seal(secret, "sub_1"), box.seal(secret, "sub_1")));
  }

  @Test
  void aSecretCopiedToAnotherSubscriptionDoesNotOpen() {
    SecretBox box = new SecretBox(key, random);
    byte[] sealed = box.seal(secret, "sub_1");
    assertThrows(SecretBox.UnreadableSecret.class, () -> box.open(sealed, "sub_2"));
  }

  @Test
  void anotherKeyOrAChangedByteDoesNotOpen() {
    byte[] sealed = new SecretBox(key, random).seal(secret, "sub_1");
    byte[] otherKey = new byte[32];
    random.nextBytes(otherKey);
    assertThrows(SecretBox.UnreadableSecret.class, () -> new SecretBox(otherKey, random).open(sealed, "sub_1"));
    sealed[sealed.length - 1] ^= 1;
    assertThrows(SecretBox.UnreadableSecret.class, () -> new SecretBox(key, random).open(sealed, "sub_1"));
    assertThrows(SecretBox.UnreadableSecret.class, () -> new SecretBox(key, random).open(new byte[5], "sub_1"));
  }

  @Test
  void aKeyIsThirtyTwoBytes() {
    assertThrows(IllegalArgumentException.class, () -> new SecretBox(new byte[16], random));
  }
}
