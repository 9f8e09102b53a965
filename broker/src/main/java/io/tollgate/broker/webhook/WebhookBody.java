package io.tollgate.broker.webhook;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.StreamFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * What a webhook request carries: the events of a batch shaped as a WebSocket stream's batch
 * frame ({@code type} {@code batch}, each event with its cursor, topic, partition and offset),
 * plus the subscription's id; and the request's {@code webhook-id}, the same for the same events
 * whenever they are sent again, so a receiver can drop what it already processed. The body is
 * joined from each event's JSON as UTF-8 bytes, encoded once per delivery for every endpoint
 * (through a JSON generator, every endpoint's request encoded each event's characters again).
 */
public final class WebhookBody {
  private static final byte[] EVENTS = bytes("\",\"events\":[");
  private static final byte[] END = bytes("]}");

  private WebhookBody() {}

  public static byte[] of(String subscription, List<Delivery> deliveries) {
    List<byte[]> items = deliveries.stream().map(StreamFormat.Json::batchItemUtf8).toList();
    byte[] start = bytes("{\"type\":\"batch\",\"subscription\":\""
        + new String(JsonStringEncoder.getInstance().quoteAsString(subscription)));
    int commas = Math.max(0, items.size() - 1);
    int length = start.length + EVENTS.length + END.length + commas;
    for (byte[] item : items) {
      length += item.length;
    }
    ByteBuffer body = ByteBuffer.allocate(length).put(start).put(EVENTS);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        body.put((byte) ',');
      }
      body.put(items.get(i));
    }
    return body.put(END).array();
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

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
