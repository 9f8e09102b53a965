package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  private static byte[] secretOf(String shown) {
    return Base64.getDecoder().decode(shown.substring(WebhookSignature.PREFIX.length()));
  }

  /** The example of the Standard Webhooks reference libraries' tests. */
  @Test
  void signsTheSpecificationsExampleAsItsReferenceLibrariesDo() {
    byte[] secret = secretOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    String header = WebhookSignature.header("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
        "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8), List.of(secret));
    assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", header);
  }

  @Test
  void aReceiverVerifiesTheSpecificationsExampleAndNothingElse() {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    String id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    String signed = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    assertTrue(WebhookSignature.verifies(secret, id, "1614265330", body, signed));
    assertTrue(WebhookSignature.verifies(secret, id, "1614265330", body, "v1,b3RoZXI= " + signed),
        "any one of the signatures of a rotation's overlap");
    assertFalse(WebhookSignature.verifies(secret, id, "1614265331", body, signed), "another timestamp");
    assertFalse(WebhookSignature.verifies(secret, "msg_other", "1614265330", body, signed), "another id");
    assertFalse(WebhookSignature.verifies(secret, id, "1614265330", "{\"test\": 2432232315}"
        .getBytes(StandardCharsets.UTF_8), signed), "another body");
    assertFalse(WebhookSignature.verifies("whsec_b3RoZXJzZWNyZXQ=", id, "1614265330", body, signed), "another secret");
    assertFalse(WebhookSignature.verifies(secret, id, "yesterday", body, signed));
    assertFalse(WebhookSignature.verifies(secret, id, "1614265330", body, null));
    assertFalse(WebhookSignature.verifies("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id, "1614265330", body, signed),
        "a secret without whsec_");
  }

  @Test
  void aSecretIsShownAsWhsecAndTheBase64OfItsThirtyTwoBytes() {
    byte[] secret = WebhookSignature.newSecret(new SecureRandom());
    String shown = WebhookSignature.shown(secret);
    assertTrue(shown.startsWith("whsec_"));
    assertEquals(32, secretOf(shown).length);
  }

  @Test
  void twoSecretsGiveTwoSignaturesSeparatedByASpaceNewestFirst() {
    byte[] newer = "newer-secret-newer-secret-newer!".getBytes(StandardCharsets.UTF_8);
    byte[] older = "older-secret-older-secret-older!".getBytes(StandardCharsets.UTF_8);
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String header = WebhookSignature.header("msg_1", 1, body, List.of(newer, older));
    assertEquals("v1," + WebhookSignature.sign("msg_1", 1, body, newer) + " v1,"
        + WebhookSignature.sign("msg_1", 1, body, older), header);
  }

  @Test
  void anIndependentImplementationOfTheSpecificationVerifiesEachOfTwoSignatures() throws Exception {
    assumeTrue(StandardWebhooksVerifier.available(), "node is not installed");
    SecureRandom random = new SecureRandom();
    byte[] newer = WebhookSignature.newSecret(random);
    byte[] older = WebhookSignature.newSecret(random);
    byte[] body = "{\"type\":\"batch\",\"events\":[{\"cursor\":\"a.b:0:1:0\"}],\"text\":\"é ✓\"}"
        .getBytes(StandardCharsets.UTF_8);
    String timestamp = Long.toString(Instant.now().getEpochSecond());
    String header = WebhookSignature.header("msg_x", Long.parseLong(timestamp), body, List.of(newer, older));
    assertEquals("verified", StandardWebhooksVerifier.verify(WebhookSignature.shown(newer), "msg_x", timestamp,
        header, body));
    assertEquals("verified", StandardWebhooksVerifier.verify(WebhookSignature.shown(older), "msg_x", timestamp,
        header, body));
    assertEquals("no signature matches", StandardWebhooksVerifier.verify(
        WebhookSignature.shown(WebhookSignature.newSecret(random)), "msg_x", timestamp, header, body));
  }
}
