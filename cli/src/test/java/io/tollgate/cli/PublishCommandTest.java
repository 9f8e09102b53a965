package io.tollgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.client.FakeFrameServer;
import io.tollgate.client.FakeHttpServer;
import io.tollgate.protocols.CloudEventFormatException;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.PublishAck;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PublishCommandTest {
  @TempDir
  Path dir;

  @Test
  void aStructuredCloudEventLineIsSentAsItIs() {
    CloudEvent event = PublishCommand.toEvent(
        "{\"specversion\":\"1.0\",\"id\":\"o-1\",\"source\":\"shop\",\"type\":\"order.created\",\"partitionkey\":\"c-9\",\"data\":{\"total\":12}}",
        "ignored", "ignored");
    assertEquals("o-1", event.getId());
    assertEquals("shop", event.getSource());
    assertEquals("order.created", event.getType());
    assertEquals("c-9", CloudEventJson.stringAttribute(event, "partitionkey"));
    assertEquals(null, CloudEventJson.stringAttribute(event, "subject"));
    assertEquals("{\"total\":12}", event.getJsonData());
  }

  @Test
  void anyOtherJsonValueBecomesTheDataOfANewEvent() {
    for (String line : List.of("{\"total\":12}", "{\"id\":\"x\",\"source\":\"y\",\"type\":\"z\"}", "[1,2]", "\"text\"", "42", "true")) {
      CloudEvent event = PublishCommand.toEvent(line, "orders.imported", "customer-7");
      assertEquals(line.replace(" ", ""), event.getJsonData(), line);
      assertEquals("tollgate-cli", event.getSource());
      assertEquals("orders.imported", event.getType());
      assertEquals("1.0", event.getSpecVersion());
      assertEquals("customer-7", CloudEventJson.stringAttribute(event, "subject"));
      assertEquals("application/json", CloudEventJson.stringAttribute(event, "datacontenttype"));
      assertEquals(event.getId(), UUID.fromString(event.getId()).toString());
    }
    CloudEvent withoutSubject = PublishCommand.toEvent("1", "t", null);
    assertFalse(withoutSubject.getAttributesMap().containsKey("subject"));
    assertTrue(!PublishCommand.toEvent("1", "t", null).getId().equals(withoutSubject.getId()), "each event gets its own id");
  }

  @Test
  void badLinesAreRejectedWithACode() {
    assertEquals("malformed_json", assertThrows(CloudEventFormatException.class,
        () -> PublishCommand.toEvent("{\"a\":", "t", null)).code());
    assertEquals("malformed_json", assertThrows(CloudEventFormatException.class,
        () -> PublishCommand.toEvent("1 2", "t", null)).code());
    assertEquals("invalid_cloudevent", assertThrows(CloudEventFormatException.class,
        () -> PublishCommand.toEvent("{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"t\"}", "t", null)).code());
  }

  @Test
  void publishesAFileInBatchesOverHttpAndPrintsEachPosition() throws Exception {
    Path input = Files.writeString(dir.resolve("events.jsonl"), """
        {"specversion":"1.0","id":"o-1","source":"shop","type":"order.created"}
        {"total": 1}

        {"total": 2}
        """);
    try (FakeHttpServer server = new FakeHttpServer((request, reply) -> {
      int count = Cli.JSON.readTree(request.body()).size();
      StringBuilder positions = new StringBuilder();
      for (int i = 0; i < count; i++) {
        positions.append(i == 0 ? "" : ",").append("{\"partition\":0,\"offset\":").append(i).append(",\"cursor\":\"c").append(i).append("\",\"duplicate\":false}");
      }
      reply.status(202, "{\"accepted\":" + count + ",\"positions\":[" + positions + "]}");
    })) {
      Run run = run("--topic", "commerce.orders", "--key", "k", "--url", server.url().toString(),
          "--file", input.toString(), "--batch-size", "2", "--linger", "1m");

      assertEquals(0, run.exitCode, run.err);
      assertEquals(2, server.requests.size());
      assertEquals("application/cloudevents-batch+json", server.requests.get(0).contentType());
      // The two batches are in flight together, so the server may see the second one first.
      List<CloudEvent> sent = new ArrayList<>();
      for (FakeHttpServer.Request request : server.requests) {
        sent.addAll(CloudEventJson.parseBatch(Cli.JSON.readTree(request.body())));
      }
      sent.sort(java.util.Comparator.comparing(event -> event.getId().equals("o-1") ? 0
          : event.getJsonData().equals("{\"total\":1}") ? 1 : 2));
      assertEquals("o-1", sent.get(0).getId());
      assertEquals("{\"total\":1}", sent.get(1).getJsonData());
      assertEquals("{\"total\":2}", sent.get(2).getJsonData());

      List<JsonNode> lines = run.outLines();
      assertEquals(3, lines.size());
      assertEquals(1, lines.get(0).get("line").asInt());
      assertEquals("o-1", lines.get(0).get("id").asText());
      assertEquals(4, lines.get(2).get("line").asInt());
      assertEquals(sent.get(2).getId(), lines.get(2).get("id").asText());
      assertEquals("c0", lines.get(2).get("cursor").asText());
      assertEquals(1, lines.get(1).get("offset").asInt());
    }
  }

  @Test
  void publishesOverTcp() throws Exception {
    Path input = Files.writeString(dir.resolve("events.jsonl"), "1\n2\n3\n");
    try (FakeFrameServer server = FakeFrameServer.acking()) {
      Run run = run("--topic", "t", "--key", "k", "--tcp", "127.0.0.1:" + server.port(), "--file", input.toString(),
          "--linger", "1m");
      assertEquals(0, run.exitCode, run.err);
      assertEquals("k", server.next().getAuthenticate().getApiKey());
      assertEquals(3, server.next().getPublish().getEventsCount());
      List<JsonNode> lines = run.outLines();
      assertEquals(List.of(0, 1, 0), lines.stream().map(line -> line.get("partition").asInt()).toList());
      assertEquals("t:1:0", lines.get(1).get("cursor").asText());
    }
  }

  @Test
  void anEventTheBrokerRefusesIsReportedWithItsLineAndTheOthersArePublished() throws Exception {
    Path input = Files.writeString(dir.resolve("events.jsonl"), "{\"n\":1}\n{\"bad\":2}\n{\"n\":3}\n{\"n\":4}\n");
    try (FakeFrameServer server = FakeFrameServer.withResponder(frame -> {
      if (frame.hasAuthenticate()) {
        return FakeFrameServer.authenticated();
      }
      Publish publish = frame.getPublish();
      if (publish.getEventsList().stream().anyMatch(event -> event.getJsonData().contains("bad"))) {
        return ServerFrame.newBuilder().setError(io.tollgate.protocols.v1.Error.newBuilder()
            .setCorrelationId(publish.getCorrelationId()).setCode("schema_violation").setMessage("/bad is not allowed")).build();
      }
      PublishAck.Builder ack = PublishAck.newBuilder().setCorrelationId(publish.getCorrelationId());
      publish.getEventsList().forEach(event -> ack.addPositions(FakeFrameServer.position("t", 0, 0)));
      return ServerFrame.newBuilder().setAck(ack).build();
    })) {
      Run run = run("--topic", "t", "--key", "k", "--tcp", "127.0.0.1:" + server.port(), "--file", input.toString(),
          "--linger", "1m");

      assertEquals(1, run.exitCode);
      assertEquals("error: schema_violation: line 2: /bad is not allowed", run.err.strip());
      assertEquals(List.of(1, 3, 4), run.outLines().stream().map(line -> line.get("line").asInt()).toList());
    }
  }

  @Test
  void explicitBatchesAreSentAsTheyAre() throws Exception {
    Path input = Files.writeString(dir.resolve("events.jsonl"), "1\n2\n3\n4\n5\n");
    try (FakeFrameServer server = FakeFrameServer.acking()) {
      Run run = run("--topic", "t", "--key", "k", "--tcp", "127.0.0.1:" + server.port(), "--file", input.toString(),
          "--explicit-batches", "--batch-size", "2");
      assertEquals(0, run.exitCode, run.err);
      server.next();
      assertEquals(List.of(2, 2, 1), List.of(server.next().getPublish().getEventsCount(),
          server.next().getPublish().getEventsCount(), server.next().getPublish().getEventsCount()));
      assertEquals(5, run.outLines().size());
    }
  }

  @Test
  void aBrokerErrorExitsNonZeroWithItsCode() throws Exception {
    Path input = Files.writeString(dir.resolve("events.jsonl"), "{\"a\":1}\n");
    try (FakeHttpServer server = new FakeHttpServer((request, reply) ->
        reply.status(403, "{\"error\":{\"code\":\"not_topic_owner\",\"message\":\"the key may not publish to t\"}}"))) {
      Run run = run("--topic", "t", "--key", "k", "--url", server.url().toString(), "--file", input.toString());
      assertEquals(1, run.exitCode);
      assertEquals("error: not_topic_owner: the key may not publish to t", run.err.strip());
      assertEquals("", run.out);
    }
  }

  @Test
  void aBadLineStopsWithItsLineNumber() throws Exception {
    Path input = Files.writeString(dir.resolve("events.jsonl"), "1\n{oops\n");
    Run run = run("--topic", "t", "--key", "k", "--url", "http://127.0.0.1:1", "--file", input.toString());
    assertEquals(1, run.exitCode);
    assertTrue(run.err.startsWith("error: malformed_json: line 2: "), run.err);
  }

  @Test
  void aMissingKeyIsAUsageError() {
    Run run = run("--topic", "t", "--key", "", "--file", "whatever");
    assertEquals(2, run.exitCode);
    assertTrue(run.err.contains("--key or TOLLGATE_KEY"), run.err);
  }

  record Run(int exitCode, String out, String err) {
    List<JsonNode> outLines() throws Exception {
      List<JsonNode> lines = new ArrayList<>();
      for (String line : out.split("\n")) {
        lines.add(Cli.JSON.readTree(line));
      }
      return lines;
    }
  }

  static Run run(String... args) {
    return runCommand(new PublishCommand(), args);
  }

  static Run runCommand(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(command);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }
}
