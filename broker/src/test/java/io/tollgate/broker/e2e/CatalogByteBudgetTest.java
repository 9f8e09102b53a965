package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.client.TollgateAdmin;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An account's share of the catalog is bounded in bytes as well as in counts: subscriptions with
 * long filters, each within every count limit, fill it, and the node goes on serving the others.
 */
class CatalogByteBudgetTest {
  private static final String FILTER = "{\"subject\":\"" + "x".repeat(3_000) + "\"}";
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(Map.of("tollgate.limits.catalog.max-bytes-per-account", "16KiB"));
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static TestBroker.Reply subscribe(String consumer, TestBroker.Tenancy t) throws Exception {
    return broker.post("/v1/subscriptions", broker.adminKey(), "application/json", "{\"account\":\"" + consumer
        + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + t.plan() + "\",\"filter\":" + FILTER + "}");
  }

  @Test
  void subscriptionsWithLongFiltersFillAnAccountsBytesAndTheNodeServesTheOthers() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("bytes", 1);
    TollgateAdmin admin = broker.admin();
    String hoarder = admin.createAccount("hoarder").get("id").asText();
    int created = 0;
    TestBroker.Reply reply = subscribe(hoarder, t);
    while (reply.status() == 201) {
      created++;
      assertTrue(created < 10, "16 KiB holds a few subscriptions of 3 KB filters, not " + created);
      reply = subscribe(hoarder, t);
    }
    assertEquals(409, reply.status(), String.valueOf(reply.body()));
    assertEquals("too_many_catalog_bytes", reply.errorCode());
    assertTrue(reply.body().get("error").get("message").asText().contains("max-bytes-per-account"));
    assertTrue(created >= 3, "a budget of 16 KiB takes at least 3 such subscriptions, took " + created);

    String other = admin.createAccount("other").get("id").asText();
    assertEquals(201, subscribe(other, t).status());
    assertEquals(202, broker.post("/v1/topics/" + t.topic() + "/events", t.producerKey(), "application/cloudevents+json",
        "{\"specversion\":\"1.0\",\"id\":\"after\",\"source\":\"/bytes\",\"type\":\"t\",\"data\":{}}").status());
  }
}
