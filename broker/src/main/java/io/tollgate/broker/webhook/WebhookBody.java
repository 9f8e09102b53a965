package io.tollgate.broker.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.StreamFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * What a webhook request carries: the events of a batch shaped as a WebSocket stream's batch
 * frame ({@code type} {@code batch}, each event with its cursor, topic, partition and offset),
 * plus the subscription's id; and the request's {@code webhook-id}, the same for the same events
 * whenever they are sent again, so a receiver can drop what it already processed.
 */
public final class WebhookBody {
  private static final JsonFactory FACTORY = new JsonFactory();

  private WebhookBody() {}

  public static byte[] of(String subscription, List<Delivery> deliveries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512 * deliveries.size());
    try (JsonGenerator out = FACTORY.createGenerator(bytes)) {
      out.writeStartObject();
      out.writeStringField("type", "batch");
      out.writeStringField("subscription", subscription);
      out.writeArrayFieldStart("events");
      for (Delivery delivery : deliveries) {
        out.writeRawValue(StreamFormat.Json.batchItem(delivery));
      }
      out.writeEndArray();
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** {@code msg_} and 24 url-safe base64 characters of the SHA-256 of the subscription and the batch's cursors. */
  public static String webhookId(String subscription, List<Delivery> deliveries) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(subscription.getBytes(StandardCharsets.UTF_8));
      for (Delivery delivery : deliveries) {
        sha.update((byte) 0);
        sha.update(delivery.cursor().encode().getBytes(StandardCharsets.UTF_8));
      }
      return "msg_" + Base64.getUrlEncoder().withoutPadding().encodeToString(sha.digest()).substring(0, 24);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
