package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.StreamFormat;
import io.tollgate.protocols.v1.CloudEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookBodyTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Delivery delivery(long sequence, String data) {
    return new Delivery(new Cursor("shop.orders", (int) (sequence % 2), sequence, 0), sequence,
        CloudEvent.newBuilder().setId("e-" + sequence).setSource("/s").setType("t").setSpecVersion("1.0")
            .setJsonData(data).build(), 1_000 + sequence);
  }

  /** The body as a JSON generator writes it, the way it was built before it was joined from bytes. */
  private static byte[] generated(String subscription, List<Delivery> deliveries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator out = new JsonFactory().createGenerator(bytes)) {
      out.writeStartObject();
      out.writeStringField("type", "batch");
      out.writeStringField("subscription", subscription);
      out.writeArrayFieldStart("events");
      for (Delivery delivery : deliveries) {
        out.writeRawValue(StreamFormat.Json.batchItem(delivery));
      }
      out.writeEndArray();
      out.writeEndObject();
    }
    return bytes.toByteArray();
  }

  @Test
  void theBodyIsByteForByteWhatAJsonGeneratorWritesWithNonAsciiDataAndAnEscapedSubscription() throws IOException {
    List<Delivery> deliveries = List.of(delivery(1, "{\"name\":\"Zoë ☕ 𝄞\"}"), delivery(2, "{\"n\":2}"),
        delivery(3, "[1,2,3]"));
    for (String subscription : List.of("sub_abc", "sub_\"quoted\\\"")) {
      assertArrayEquals(generated(subscription, deliveries), WebhookBody.of(subscription, deliveries), subscription);
    }
    JsonNode body = JSON.readTree(WebhookBody.of("sub_abc", deliveries));
    assertEquals("Zoë ☕ 𝄞", body.get("events").get(0).get("event").get("data").get("name").asText());
    assertEquals(3, body.get("events").size());
  }

  @Test
  void aSingleEventAndNoEventAreWholeJsonToo() throws IOException {
    assertArrayEquals(generated("sub_a", List.of(delivery(7, "{}"))), WebhookBody.of("sub_a", List.of(delivery(7, "{}"))));
    assertArrayEquals(generated("sub_a", List.of()), WebhookBody.of("sub_a", List.of()));
  }

  @Test
  void theWebhookIdIsTheSameForTheSameEventsAndDiffersForOthers() {
    List<Delivery> batch = List.of(delivery(1, "{}"), delivery(2, "{}"));
    assertEquals(WebhookBody.webhookId("sub_a", batch), WebhookBody.webhookId("sub_a", List.of(delivery(1, "{\"x\":1}"),
        delivery(2, "{}"))), "named by the cursors, not the data");
    assertNotEquals(WebhookBody.webhookId("sub_a", batch), WebhookBody.webhookId("sub_b", batch));
    assertNotEquals(WebhookBody.webhookId("sub_a", batch), WebhookBody.webhookId("sub_a", batch.subList(0, 1)));
  }
}
