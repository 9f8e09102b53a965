package io.tollgate.broker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook endpoint on loopback, written on a bare socket so that every failure can be
 * injected: each request takes the next scripted {@link Behaviour} (then the default), which
 * answers a status with headers, answers late, sends its body slowly, never answers, or resets
 * the connection. It records every request whole, whatever it answered.
 */
public final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received: its headers (lower-case names) and body. */
  public record Request(Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The ids of the events this request carried, in order. */
    List<String> eventIds() {
      List<String> ids = new ArrayList<>();
      json().get("events").forEach(event -> ids.add(event.get("event").get("id").asText()));
      return ids;
    }
  }

  /** How to answer one request. */
  sealed interface Behaviour {}

  /** {@code status} with {@code headers} and {@code body}, after {@code delay}. */
  record Answer(int status, Map<String, String> headers, String body, Duration delay) implements Behaviour {}

  /** The status line and headers at once, then the body a byte per {@code pause}. */
  record SlowBody(int status, String body, Duration pause) implements Behaviour {}

  /** Reads the request, then closes with a TCP reset. */
  record Reset() implements Behaviour {}

  /** Reads the request and never answers (until the receiver closes). */
  record Hang() implements Behaviour {}

  static Answer ok() {
    return new Answer(200, Map.of(), "ok", Duration.ZERO);
  }

  static Answer status(int status) {
    return new Answer(status, Map.of(), "status " + status, Duration.ZERO);
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Behaviour> script = new ConcurrentLinkedQueue<>();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Behaviour fallback = ok();

  public WebhookReceiver() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.submit(this::accept);
  }

  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort() + "/hooks";
  }

  /** The next requests answer these, in order; then {@link #fallback}. */
  WebhookReceiver then(Behaviour... behaviours) {
    script.addAll(List.of(behaviours));
    return this;
  }

  WebhookReceiver answerAlways(Behaviour behaviour) {
    fallback = behaviour;
    return this;
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** The ids of every event received, in the order received, repeats included. */
  public List<String> eventIds() {
    List<String> ids = new ArrayList<>();
    requests().forEach(request -> ids.addAll(request.eventIds()));
    return ids;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        threads.submit(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (true) {
        Optional<Request> request = read(in);
        if (request.isEmpty()) {
          return;
        }
        requests.add(request.get());
        Behaviour behaviour = Optional.ofNullable(script.poll()).orElse(fallback);
        if (!answer(behaviour, socket, out)) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // The client went away, or the receiver closed: nothing more to answer.
    }
  }

  /** Answers; false when the connection is done. */
  private boolean answer(Behaviour behaviour, Socket socket, OutputStream out) throws IOException, InterruptedException {
    if (behaviour instanceof Answer answer) {
      Thread.sleep(answer.delay().toMillis());
      StringBuilder head = new StringBuilder("HTTP/1.1 " + answer.status() + " Scripted\r\n");
      answer.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return true;
    }
    if (behaviour instanceof SlowBody slow) {
      byte[] body = slow.body().getBytes(StandardCharsets.UTF_8);
      out.write(("HTTP/1.1 " + slow.status() + " Slow\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (byte b : body) {
        Thread.sleep(slow.pause().toMillis());
        out.write(b);
        out.flush();
      }
      return true;
    }
    if (behaviour instanceof Reset) {
      socket.setSoLinger(true, 0);
      socket.close();
      return false;
    }
    closed.await();
    return false;
  }

  private static Optional<Request> read(InputStream in) throws IOException {
    String requestLine = line(in);
    if (requestLine == null) {
      return Optional.empty();
    }
    Map<String, String> headers = new HashMap<>();
    for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return Optional.of(new Request(Map.copyOf(headers), body));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    closed.countDown();
    server.close();
    synchronized (open) {
      for (Socket socket : open) {
        socket.close();
      }
    }
    threads.shutdownNow();
    threads.awaitTermination(5, TimeUnit.SECONDS);
  }
}
