package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tollgate.broker.error.Refusal;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class WebhookTargetsTest {
  /** Resolves names from a table; literal addresses as themselves. */
  private static WebhookTargets.Resolver table(Map<String, String> names) {
    return host -> {
      if (names.containsKey(host)) {
        return new InetAddress[] {InetAddress.getByName(names.get(host))};
      }
      if (Character.isDigit(host.charAt(0)) || host.contains(":")) {
        return new InetAddress[] {InetAddress.getByName(host)};
      }
      throw new UnknownHostException(host);
    };
  }

  private static String refusal(WebhookTargets targets, String url) {
    return assertThrows(Refusal.class, () -> targets.check(WebhookTargets.parse(url))).code();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://example.com/", "example.com/hooks", "https:///nohost", "http://user:pw@example.com/",
      "https://example.com/#part", "http://exa mple.com/", "javascript:alert(1)"})
  void aUrlThatIsNotAnHttpTargetIsInvalid(String url) {
    assertEquals("invalid_webhook_url", assertThrows(Refusal.class, () -> WebhookTargets.parse(url)).code());
  }

  @ParameterizedTest
  @CsvSource({
      "http://127.0.0.1:8080/h, webhook_target_loopback",
      "http://127.9.9.9/, webhook_target_loopback",
      "http://[::1]/, webhook_target_loopback",
      "http://0.0.0.0/, webhook_target_loopback",
      "http://localhost/, webhook_target_loopback",
      "http://10.1.2.3/, webhook_target_private",
      "http://172.16.0.1/, webhook_target_private",
      "http://192.168.1.1/, webhook_target_private",
      "http://100.64.0.1/, webhook_target_private",
      "http://[fd00::1]/, webhook_target_private",
      "http://224.0.0.1/, webhook_target_private",
      "http://198.18.0.1/, webhook_target_private",
      "http://169.254.169.254/latest/meta-data, webhook_target_link_local",
      "http://[fe80::1]/, webhook_target_link_local",
      "http://metadata.internal/, webhook_target_link_local",
      "http://nowhere.invalid/, webhook_host_unresolvable"})
  void aTargetThatIsNotPublicIsRefusedWithItsOwnCode(String url, String code) {
    WebhookTargets targets = new WebhookTargets(false,
        table(Map.of("localhost", "127.0.0.1", "metadata.internal", "169.254.169.254")));
    assertEquals(code, refusal(targets, url));
  }

  @Test
  void aPublicTargetPassesAndAllowingPrivateTargetsLetsLoopbackPass() {
    WebhookTargets strict = new WebhookTargets(false, table(Map.of("hooks.example", "93.184.216.34")));
    assertEquals(List.of("93.184.216.34"), strict.check(URI.create("https://hooks.example/in")).stream()
        .map(InetAddress::getHostAddress).toList());
    WebhookTargets open = new WebhookTargets(true, table(Map.of()));
    open.check(URI.create("http://127.0.0.1:9/"));
    assertEquals(9, open.connectable("127.0.0.1", 9).getPort());
  }

  @Test
  void aNameWithAnyPrivateAddressAmongItsAddressesIsRefused() {
    WebhookTargets targets = new WebhookTargets(false, host -> new InetAddress[] {
        InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.7")});
    assertEquals("webhook_target_private", refusal(targets, "https://mixed.example/"));
  }

  /** DNS rebinding: public when the endpoint was set, loopback when the connection opens. */
  @Test
  void aNameThatResolvesToLoopbackWhenTheConnectionOpensIsRefusedThen() {
    AtomicInteger lookups = new AtomicInteger();
    WebhookTargets targets = new WebhookTargets(false, host -> new InetAddress[] {
        InetAddress.getByName(lookups.getAndIncrement() == 0 ? "93.184.216.34" : "127.0.0.1")});
    targets.check(URI.create("https://rebinding.example/"));
    assertEquals("webhook_target_loopback",
        assertThrows(Refusal.class, () -> targets.connectable("rebinding.example", 443)).code());
  }
}
