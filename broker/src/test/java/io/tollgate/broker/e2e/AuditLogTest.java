package io.tollgate.broker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who changed what and when, over the API, and each tenant sees only its own changes. */
class AuditLogTest {
  private static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  private static List<String> actions(JsonNode log) {
    List<String> actions = new ArrayList<>();
    log.get("data").forEach(entry -> actions.add(entry.get("actor").asText() + " " + entry.get("action").asText()
        + " " + entry.get("target").asText()));
    return actions;
  }

  @Test
  void everyCatalogChangeIsLoggedWithItsActorAndEachAccountSeesOnlyItsOwn() throws Exception {
    TestBroker.Tenancy t = broker.tenancy("audited", 1);
    assertEquals(201, broker.post("/v1/topics", t.producerKey(), "application/json",
        "{\"name\":\"audited.refunds\",\"domain\":\"audited\"}").status());
    String subscription = broker.post("/v1/subscriptions", t.consumerKey(), "application/json",
        "{\"account\":\"" + t.consumer() + "\",\"product\":\"" + t.product() + "\",\"plan\":\"" + t.plan() + "\"}")
        .body().get("id").asText();
    List<String> all = actions(broker.get("/v1/audit?limit=1000", broker.adminKey()).body());
    assertTrue(all.contains("admin account_created " + t.producer()), all.toString());
    assertTrue(all.contains("admin domain_created audited"), all.toString());
    assertTrue(all.contains(t.producer() + " topic_created audited.refunds"), all.toString());
    assertTrue(all.contains(t.consumer() + " subscription_created " + subscription), all.toString());
    assertTrue(all.contains("tollgate topic_created tollgate.invoices"), "the platform's own entries too");

    JsonNode own = broker.get("/v1/audit", t.producerKey()).body();
    assertFalse(own.get("data").isEmpty());
    own.get("data").forEach(entry -> assertEquals(t.producer(), entry.get("actor").asText()));
    assertTrue(own.toString().indexOf("secret") < 0, "a key's secret hash is never shown");

    assertEquals("forbidden", broker.get("/v1/audit", t.consumerKey()).errorCode(), "a key without admin scope");
    assertEquals("forbidden", broker.get("/v1/audit?actor=admin", t.producerKey()).errorCode());
    assertEquals("unauthenticated", broker.get("/v1/audit", null).errorCode());

    JsonNode firstPage = broker.get("/v1/audit?limit=2", broker.adminKey()).body();
    assertEquals(2, firstPage.get("data").size());
    long after = firstPage.get("next_after").asLong();
    JsonNode next = broker.get("/v1/audit?limit=1&after=" + after, broker.adminKey()).body();
    assertEquals(after + 1, next.get("data").get(0).get("sequence").asLong(), "pages follow each other");
    assertEquals("invalid_field", broker.get("/v1/audit?limit=0", broker.adminKey()).errorCode());
  }
}
