package io.tollgate.broker.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StreamsApiTest {
  @Test
  void anAcceptThatTakesAnEventStreamIsAccepted() {
    assertTrue(StreamsApi.acceptsEventStream("text/event-stream"));
    assertTrue(StreamsApi.acceptsEventStream("application/json, TEXT/Event-Stream;q=0.5"));
    assertTrue(StreamsApi.acceptsEventStream("text/*"));
    assertTrue(StreamsApi.acceptsEventStream("*/*"), "curl's default");
  }

  @Test
  void anAcceptThatDoesNotOrRefusesItExplicitlyIsNot() {
    assertFalse(StreamsApi.acceptsEventStream("application/json"));
    assertFalse(StreamsApi.acceptsEventStream("text/event-stream;q=0"));
    assertFalse(StreamsApi.acceptsEventStream("text/html, application/xhtml+xml"));
  }
}
