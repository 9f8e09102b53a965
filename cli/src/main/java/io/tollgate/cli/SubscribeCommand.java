package io.tollgate.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import io.tollgate.client.Delivery;
import io.tollgate.client.ClientTls;
import io.tollgate.client.EventStreamSubscriber;
import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateException;
import io.tollgate.protocols.CloudEventJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tollgate subscribe}: prints a subscription's events as JSON lines and acks them. */
@Command(name = "subscribe",
    description = {
        "Receives a subscription's events over WebSocket (or as server-sent events with --sse), prints each as one "
            + "JSON line {\"cursor\",\"topic\",\"partition\",\"offset\",\"event\"} and acks it.",
        "Other frames from the broker (quota, error, ...) go to stderr. Exits with 1 and prints the error code on failure."})
public final class SubscribeCommand implements Callable<Integer> {
  @Option(names = "--subscription", required = true, description = "Subscription id (sub_...).")
  String subscription;

  @Option(names = "--key", defaultValue = Cli.KEY_FROM_ENV, description = "API key with the subscribe scope (default: $TOLLGATE_KEY).")
  String key;

  @Option(names = "--url", defaultValue = Cli.DEFAULT_URL, description = "Broker HTTP base URL (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--ca-file", paramLabel = "PEM", description = Cli.CA_FILE_HELP)
  Path caFile;

  @Option(names = "--max-events", paramLabel = "N", description = "Exit after N events (default: run until the stream ends).")
  Long maxEvents;

  @Option(names = "--sse", description = "Receive as server-sent events (GET .../events) and ack each event with "
      + "POST .../acks, instead of over WebSocket.")
  boolean sse;

  @Option(names = "--last-event-id", paramLabel = "CURSOR", description = "With --sse: resume after this cursor, "
      + "acknowledging it and the earlier events of its partition.")
  String lastEventId;

  // Only help: a version option belongs to the tollgate command these are registered under.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    String apiKey = Cli.requireKey(spec, key);
    if (maxEvents != null && maxEvents < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-events must be at least 1");
    }
    if (lastEventId != null && !sse) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--last-event-id needs --sse");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Subscriber.Handler print = delivery -> {
      out.println(line(delivery));
      out.flush();
    };
    Consumer<Subscriber.Notice> notices = notice -> {
      err.println(notice.frame());
      err.flush();
    };
    ClientTls tls = Cli.tls(caFile, url);
    try {
      if (sse) {
        return receive(eventStream(apiKey, print, notices, tls));
      }
      Subscriber.Builder builder = Subscriber.builder(url, apiKey, subscription).onDelivery(print).onNotice(notices);
      if (maxEvents != null) {
        builder.maxEvents(maxEvents);
      }
      if (tls != null) {
        builder.httpClient(tls.httpClient());
      }
      try (Subscriber subscriber = builder.connect()) {
        return receive(subscriber.closed());
      }
    } catch (TollgateException e) {
      return Cli.fail(spec, e);
    }
  }

  private CompletableFuture<Void> eventStream(String apiKey, Subscriber.Handler print,
                                              Consumer<Subscriber.Notice> notices, ClientTls tls) {
    EventStreamSubscriber.Builder builder = EventStreamSubscriber.builder(url, apiKey, subscription)
        .onDelivery(print).onNotice(notices);
    if (maxEvents != null) {
      builder.maxEvents(maxEvents);
    }
    if (lastEventId != null) {
      builder.lastEventId(lastEventId);
    }
    if (tls != null) {
      builder.httpClient(tls.httpClient());
    }
    return builder.connect().closed();
  }

  private int receive(CompletableFuture<Void> closed) {
    try {
      closed.get();
      return 0;
    } catch (ExecutionException e) {
      return Cli.fail(spec, TollgateException.unwrap(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Cli.fail(spec, TollgateException.INTERRUPTED, "interrupted");
    }
  }

  static String line(Delivery delivery) {
    StringWriter text = new StringWriter();
    try (JsonGenerator json = Cli.JSON.getFactory().createGenerator(text)) {
      json.writeStartObject();
      json.writeStringField("cursor", delivery.cursor());
      json.writeStringField("topic", delivery.topic());
      json.writeNumberField("partition", delivery.partition());
      json.writeNumberField("offset", delivery.offset());
      json.writeFieldName("event");
      CloudEventJson.write(delivery.event(), json);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }
}
