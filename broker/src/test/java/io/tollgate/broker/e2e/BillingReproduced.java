package io.tollgate.broker.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.TollgateAdmin;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** The end of a money test: the billing verification finds no difference once every revenue credit arrived. */
final class BillingReproduced {
  private BillingReproduced() {}

  /**
   * The verification of {@code account}, or of all accounts for null, once it reports no pending
   * credit and no difference (a period being closed while it reads can show a number not yet on
   * its invoice for a moment); fails with the last report's differences otherwise.
   */
  static JsonNode awaitNoDifference(TollgateAdmin operator, String account) {
    String path = "/v1/billing/verification" + (account == null ? "" : "?account=" + account);
    AtomicReference<JsonNode> report = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      report.set(operator.get(path));
      assertEquals("[]", report.get().get("differences").toString(), "differences in " + report.get());
      assertEquals(0, report.get().get("pending_credits").asInt(), "credits still on their way in " + report.get());
    });
    return report.get();
  }
}
