package io.tollgate.broker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An ordinary text/event-stream client on the JDK's HttpClient, as the HTML standard's
 * EventSource reads one: lines, {@code field: value} (one leading space dropped), data lines
 * joined with line feeds, an event dispatched at each blank line, comments counted and dropped.
 * Nothing here knows Tollgate's cursors; it records every event with its name, id and data.
 */
final class EventStreamClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Event(String name, String id, String data) {
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final HttpResponse<InputStream> response;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger comments = new AtomicInteger();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private EventStreamClient(HttpResponse<InputStream> response) {
    this.response = response;
    Thread reader = new Thread(this::read, "event-stream-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens the stream; {@code lastEventId} is sent as {@code Last-Event-ID} when present. */
  static EventStreamClient open(URI base, String subscription, String key, Optional<String> lastEventId)
      throws IOException, InterruptedException {
    return open(HttpClient.newHttpClient(), base, subscription, key, lastEventId);
  }

  /** Opens the stream with {@code http}, for a test that chooses the HTTP version or the TLS context. */
  static EventStreamClient open(HttpClient http, URI base, String subscription, String key, Optional<String> lastEventId)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/subscriptions/" + subscription + "/events"))
        .header("Accept", "text/event-stream").header("Authorization", "Bearer " + key);
    lastEventId.ifPresent(id -> request.header("Last-Event-ID", id));
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
      throw new IllegalStateException("the event stream was refused: " + response.statusCode() + " " + body);
    }
    return new EventStreamClient(response);
  }

  /** A request's status, and its body unless it was a stream (which is closed at once, so nothing waits on it). */
  record Answer(int status, String body) {}

  /** A request that should be refused: its status and error body, or 200 and no body if it was not. */
  static Answer refused(URI base, String subscription, String key, String accept, Optional<String> lastEventId)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/subscriptions/" + subscription + "/events"))
        .header("Accept", accept).header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10));
    lastEventId.ifPresent(id -> request.header("Last-Event-ID", id));
    HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request.build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      return new Answer(response.statusCode(), response.statusCode() == 200 ? ""
          : new String(body.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String name = null;
      String id = null;
      List<String> data = new ArrayList<>();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(name == null ? "message" : name, id, String.join("\n", data)));
          }
          name = null;
          data.clear();
          continue;
        }
        if (line.startsWith(":")) {
          comments.incrementAndGet();
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "event" -> name = value;
          case "id" -> id = value;
          case "data" -> data.add(value);
          default -> { }
        }
      }
      ended.complete(null);
    } catch (IOException e) {
      ended.complete(null);
    }
  }

  HttpResponse<InputStream> response() {
    return response;
  }

  List<Event> events() {
    return events;
  }

  /** The delivered events ({@code event}), not notices. */
  List<Event> deliveries() {
    return events.stream().filter(event -> event.name().equals("event")).toList();
  }

  int comments() {
    return comments.get();
  }

  CompletableFuture<Void> ended() {
    return ended;
  }

  @Override
  public void close() throws IOException {
    response.body().close();
  }
}
