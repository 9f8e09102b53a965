package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SSRF defence over a real socket, on a node with the defaults: private targets refused,
 * each kind with its own code, and no webhook secret key, so a public target is refused with
 * {@code webhooks_unavailable} (the node could neither store nor sign with a secret).
 */
class WebhookSsrfTest {
  private static TestBroker broker;
  private static TestBroker.Tenancy tenancy;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    tenancy = broker.tenancy("ssrf", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static String refusal(String url) throws Exception {
    TestBroker.Reply reply = WebhookDeliveryTest.subscribe(broker, tenancy, WebhookDeliveryTest.webhook(url, 1, 1));
    return reply.status() + " " + reply.errorCode();
  }

  @Test
  void loopbackTargetsAreRefused() throws Exception {
    assertEquals("400 webhook_target_loopback", refusal("http://127.0.0.1:8080/hooks"));
    assertEquals("400 webhook_target_loopback", refusal("http://localhost/hooks"));
    assertEquals("400 webhook_target_loopback", refusal("http://[::1]/hooks"));
    assertEquals("400 webhook_target_loopback", refusal("http://0.0.0.0/hooks"));
  }

  @Test
  void privateTargetsAreRefused() throws Exception {
    assertEquals("400 webhook_target_private", refusal("http://10.0.0.1/hooks"));
    assertEquals("400 webhook_target_private", refusal("https://192.168.1.20/hooks"));
    assertEquals("400 webhook_target_private", refusal("http://[fd12::1]/hooks"));
  }

  @Test
  void linkLocalTargetsSuchAsTheMetadataServiceAreRefused() throws Exception {
    assertEquals("400 webhook_target_link_local", refusal("http://169.254.169.254/latest/meta-data/"));
    assertEquals("400 webhook_target_link_local", refusal("http://[fe80::1]/hooks"));
  }

  @Test
  void malformedAndUnresolvableUrlsAreRefused() throws Exception {
    assertEquals("400 invalid_webhook_url", refusal("file:///etc/passwd"));
    assertEquals("400 invalid_webhook_url", refusal("http://user:secret@93.184.216.34/"));
    assertEquals("400 webhook_host_unresolvable", refusal("http://no-such-host.invalid/hooks"));
  }

  @Test
  void aNodeWithoutAWebhookKeyRefusesWebhookSubscriptions() throws Exception {
    assertEquals("503 webhooks_unavailable", refusal("https://93.184.216.34/hooks"));
  }
}
