package io.tollgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.tollgate.client.BatchSettings;
import io.tollgate.client.BatchingPublisher;
import io.tollgate.client.ClientTls;
import io.tollgate.client.HostAndPort;
import io.tollgate.client.HttpPublisher;
import io.tollgate.client.Position;
import io.tollgate.client.PublishResult;
import io.tollgate.client.Publisher;
import io.tollgate.client.ReconnectingPublisher;
import io.tollgate.client.TcpPublisher;
import io.tollgate.client.TollgateException;
import io.tollgate.protocols.CloudEventFormatException;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tollgate publish}: publishes JSON lines from a file or stdin. */
@Command(name = "publish",
    description = {
        "Publishes events read as JSON lines from a file or stdin.",
        "A line that is a JSON object with \"specversion\" is sent as that CloudEvent; any other JSON value "
            + "becomes the data of a new event (random id, source tollgate-cli, --type, --subject).",
        "Events go through the SDK's batching publisher: up to --batch-size events per publish, sent when full, "
            + "after --linger, or when no more input is waiting. An event the broker refuses is reported with its line "
            + "(error: CODE: line N: ...) and the others are published; --explicit-batches sends each --batch-size "
            + "lines as one publish instead, and stops at the first refusal.",
        "Prints one JSON line per event with its position, in input order. Exits with 1 and prints the error code on failure."})
public final class PublishCommand implements Callable<Integer> {
  static final String SOURCE = "tollgate-cli";
  private static final ObjectReader LINE_READER = Cli.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @Option(names = "--topic", required = true, description = "Topic to publish to, e.g. commerce.orders.")
  String topic;

  @Option(names = "--key", defaultValue = Cli.KEY_FROM_ENV, description = "API key with the publish scope (default: $TOLLGATE_KEY).")
  String key;

  @Option(names = "--url", defaultValue = Cli.DEFAULT_URL, description = "Broker HTTP base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--tcp", paramLabel = "HOST:PORT", converter = Cli.HostAndPortConverter.class,
      description = "Publish over the TCP protocol at HOST:PORT instead of HTTP.")
  HostAndPort tcp;

  @Option(names = "--ca-file", paramLabel = "PEM", description = Cli.CA_FILE_HELP)
  Path caFile;

  @Option(names = "--file", description = "JSON lines to publish (default: stdin).")
  Path file;

  @Option(names = "--type", defaultValue = "tollgate.cli", description = "Type of generated events (default: ${DEFAULT-VALUE}).")
  String type;

  @Option(names = "--subject", description = "Subject of generated events; also what picks their partition.")
  String subject;

  @Option(names = "--batch-size", defaultValue = "100", description = "Events per publish, at most (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--linger", defaultValue = "5ms", converter = Cli.DurationConverter.class,
      description = "How long a batch that is not full waits for more events (default: ${DEFAULT-VALUE}).")
  Duration linger;

  @Option(names = "--explicit-batches",
      description = "Send each --batch-size lines as one publish of their own, without the batching publisher.")
  boolean explicitBatches;

  // Only help: a version option belongs to the tollgate command these are registered under.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    String apiKey = Cli.requireKey(spec, key);
    if (batchSize < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch-size must be at least 1");
    }
    try (BufferedReader input = open()) {
      return explicitBatches ? publishInBatches(input, apiKey) : publishOneByOne(input, apiKey);
    } catch (TollgateException e) {
      return Cli.fail(spec, e);
    } catch (IOException e) {
      return Cli.fail(spec, "invalid_input", "cannot read " + (file == null ? "stdin" : file) + ": " + Cli.describe(e));
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** An event handed to the batching publisher, and the line it came from. */
  private record Sent(int line, CloudEvent event, CompletableFuture<Position> ack) {}

  private int publishOneByOne(BufferedReader input, String apiKey) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    ArrayDeque<Sent> unprinted = new ArrayDeque<>();
    boolean refused = false;
    BatchSettings settings = BatchSettings.DEFAULTS.withMaxEvents(batchSize).withLinger(linger);
    try (BatchingPublisher publisher = new BatchingPublisher(publisher(apiKey, Cli.tls(caFile, url)), settings)) {
      int lineNumber = 0;
      for (String line = input.readLine(); line != null; line = input.readLine()) {
        lineNumber++;
        if (!line.isBlank()) {
          CloudEvent event;
          try {
            event = toEvent(line, type, subject);
          } catch (CloudEventFormatException e) {
            int exitCode = Cli.fail(spec, e.code(), "line " + lineNumber + ": " + e.getMessage());
            // What the lines before it became: their positions, or why they were not published.
            publisher.flush();
            try {
              print(unprinted, out);
            } catch (TollgateException earlier) {
              Cli.fail(spec, earlier);
            }
            return exitCode;
          }
          unprinted.add(new Sent(lineNumber, event, publisher.send(topic, event)));
        }
        // Events piped in one by one are published and printed as they come.
        if (!input.ready()) {
          publisher.flush();
        }
        refused |= print(unprinted, out);
      }
      publisher.flush();
      refused |= print(unprinted, out);
    }
    return refused ? CommandLine.ExitCode.SOFTWARE : 0;
  }

  /**
   * Prints the answered events at the head of {@code unprinted}, in input order: a position on
   * stdout, or an event's own refusal on stderr. Returns whether any was refused; throws a
   * refusal of a whole publish (a wrong key, an unknown topic, a lost connection), which ends the command.
   */
  private boolean print(ArrayDeque<Sent> unprinted, PrintWriter out) {
    boolean refused = false;
    while (!unprinted.isEmpty() && unprinted.peek().ack().isDone()) {
      Sent sent = unprinted.poll();
      try {
        printPosition(out, sent.line(), sent.event(), sent.ack().join());
      } catch (RuntimeException e) {
        TollgateException error = TollgateException.unwrap(e);
        if (!BatchingPublisher.EVENT_REFUSALS.contains(error.code())) {
          throw error;
        }
        Cli.fail(spec, error.code(), "line " + sent.line() + ": " + error.detail());
        refused = true;
      }
    }
    out.flush();
    return refused;
  }

  private int publishInBatches(BufferedReader input, String apiKey) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<CloudEvent> batch = new ArrayList<>(batchSize);
    List<Integer> lineNumbers = new ArrayList<>(batchSize);
    try (Publisher publisher = publisher(apiKey, Cli.tls(caFile, url))) {
      int lineNumber = 0;
      for (String line = input.readLine(); line != null; line = input.readLine()) {
        lineNumber++;
        if (!line.isBlank()) {
          try {
            batch.add(toEvent(line, type, subject));
          } catch (CloudEventFormatException e) {
            return Cli.fail(spec, e.code(), "line " + lineNumber + ": " + e.getMessage()
                + (lineNumbers.isEmpty() ? "" : " (lines from " + lineNumbers.get(0) + " on were not published)"));
          }
          lineNumbers.add(lineNumber);
        }
        // Send a short batch when no more input is waiting, so that events piped in one by one go out as they come.
        if (batch.size() == batchSize || (!batch.isEmpty() && !input.ready())) {
          publish(publisher, batch, lineNumbers, out);
        }
      }
      if (!batch.isEmpty()) {
        publish(publisher, batch, lineNumbers, out);
      }
      return 0;
    }
  }

  private Publisher publisher(String apiKey, ClientTls tls) {
    if (tcp != null) {
      return ReconnectingPublisher.connect(tcp.host(), tcp.port(), apiKey, TcpPublisher.DEFAULT_MAX_IN_FLIGHT, tls);
    }
    return tls == null ? new HttpPublisher(url, apiKey) : new HttpPublisher(url, apiKey, tls.httpClient());
  }

  private void publish(Publisher publisher, List<CloudEvent> batch, List<Integer> lineNumbers, PrintWriter out) {
    PublishResult result = publisher.publishAndWait(topic, batch);
    if (result.positions().size() != batch.size()) {
      throw new TollgateException(TollgateException.PROTOCOL_ERROR,
          "the broker returned " + result.positions().size() + " positions for " + batch.size() + " events");
    }
    for (int i = 0; i < batch.size(); i++) {
      printPosition(out, lineNumbers.get(i), batch.get(i), result.positions().get(i));
    }
    out.flush();
    batch.clear();
    lineNumbers.clear();
  }

  private static void printPosition(PrintWriter out, int line, CloudEvent event, Position position) {
    out.println(Cli.JSON.createObjectNode()
        .put("line", line)
        .put("id", event.getId())
        .put("source", event.getSource())
        .put("partition", position.partition())
        .put("offset", position.offset())
        .put("cursor", position.cursor())
        .put("duplicate", position.duplicate()));
  }

  private BufferedReader open() throws IOException {
    return file != null
        ? Files.newBufferedReader(file, StandardCharsets.UTF_8)
        : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
  }

  /**
   * One input line as an event: an object with {@code specversion} is taken as a structured
   * CloudEvent (and must be a valid one); any other JSON value is the data of a new event.
   */
  static CloudEvent toEvent(String line, String type, String subject) {
    JsonNode node;
    try {
      node = LINE_READER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new CloudEventFormatException("malformed_json", "not valid JSON: " + e.getOriginalMessage());
    }
    if (node.isObject() && node.has("specversion")) {
      return CloudEventJson.parseStructured(node);
    }
    CloudEvent.Builder event = CloudEvent.newBuilder()
        .setSpecVersion(CloudEventJson.SPEC_VERSION)
        .setId(UUID.randomUUID().toString())
        .setSource(SOURCE)
        .setType(type)
        .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
        .setJsonData(node.toString());
    if (subject != null) {
      event.putAttributes("subject", AttributeValue.newBuilder().setCeString(subject).build());
    }
    return event.build();
  }
}
