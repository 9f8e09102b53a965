package io.tollgate.broker.topic;

import io.tollgate.broker.position.PartitionRef;
import io.tollgate.broker.position.Cursor;
import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.ShardedAsk;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.catalog.Scope;
import io.tollgate.broker.catalog.VisibleCatalog;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Publishing, whatever the edge: checks the caller may publish to the topic and that each event
 * fits, sends each partition its events, and completes once every partition has made them
 * durable, with each event's position in the order submitted.
 */
public final class Publisher {
  /**
   * {@code timeout} bounds a whole publish; within it an append unanswered after
   * {@code attemptTimeout} is sent again, then after twice as long each time ({@link ShardedAsk}):
   * a partition stores a repeated append once. An overloaded partition answers
   * {@code partition_overloaded} before the first attempt runs out ({@link TopicPartition}), so
   * what is sent again is an append lost on its way (a shard moving, a node dying), not one that
   * waits.
   */
  public record Settings(int maxEventBytes, int maxEventsPerPublish, int maxJsonDepth, Duration timeout,
                         Duration attemptTimeout) {}

  /**
   * What HTTP answers in {@code Retry-After} when a partition could not make a publish durable
   * (its store is slow or away, or its writes fall behind): a retry with the same ids is safe, and
   * one second is how long a partition waits before it refuses an append anyway.
   */
  static final Duration RETRY_AFTER_UNDURABLE = Duration.ofSeconds(1);

  /** Where one published event is stored. */
  public record Published(int partition, StoredPosition position, String cursor) {}

  private final ClusterSharding sharding;
  private final CatalogView view;
  private final TopicSchemas schemas;
  private final Settings settings;
  private final StrictJson data;
  private final PublishRates rates;
  /**
   * Where events are checked against their topic's schema: validation may take up to its budget
   * (docs/security.md), which must not hold a thread that serves HTTP, streams or the cluster.
   */
  private final Executor validation;
  private final EventLimits eventLimits;
  private final FieldLengths lengths;

  /**
   * {@code eventLimits}: how long each attribute of an event may be, whatever the edge it came by;
   * {@code lengths}: how long a topic name may be (TCP names it in a frame, not a path).
   */
  public Publisher(ClusterSharding sharding, CatalogView view, TopicSchemas schemas, Settings settings,
                   EventLimits eventLimits, FieldLengths lengths, PublishRates rates, Executor validation) {
    this.eventLimits = eventLimits;
    this.lengths = lengths;
    this.data = new StrictJson(settings.maxJsonDepth());
    this.rates = rates;
    this.validation = validation;
    this.sharding = sharding;
    this.view = view;
    this.schemas = schemas;
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /** Checks what can be checked before the events are read: the topic and the caller's right to it. */
  public Catalog.Topic authorize(Principal principal, String topicName) {
    lengths.checked("the topic", topicName, FieldLengths.Kind.ID);
    Catalog catalog = view.catalog();
    Catalog.Topic topic = new VisibleCatalog(catalog, principal.viewer()).topic(topicName)
        .orElseThrow(() -> new Refusal("topic_not_found", "topic " + topicName + " does not exist"));
    String owner = catalog.topicOwner(topicName).orElseThrow();
    if (!principal.may(Scope.PUBLISH, owner) || !principal.reaches(topicName)) {
      throw Refusal.forbidden("this key may not publish to " + topicName
          + "; publishing takes a key with the publish scope of the account that owns domain " + topic.domain());
    }
    return topic;
  }

  public CompletionStage<List<Published>> publish(Principal principal, String topicName, List<CloudEvent> events) {
    Catalog.Topic topic = authorize(principal, topicName);
    if (events.isEmpty()) {
      throw new Refusal("empty_batch", "a publish needs at least one event");
    }
    if (events.size() > settings.maxEventsPerPublish()) {
      throw new Refusal("batch_too_large", "a publish carries at most " + settings.maxEventsPerPublish()
          + " events; this one has " + events.size());
    }
    if (topic.currentSchema().isEmpty()) {
      return write(principal, topicName, routed(topic, events));
    }
    return CompletableFuture.supplyAsync(() -> routed(topic, events), validation)
        .thenCompose(routed -> write(principal, topicName, routed));
  }

  /** A publish's events by partition, each with its index in the publish. */
  private record Routed(int events, long bytes, List<List<CloudEvent>> byPartition,
                        List<List<Integer>> submittedIndexes) {}

  private Routed routed(Catalog.Topic topic, List<CloudEvent> events) {
    int partitions = topic.partitions();
    List<List<CloudEvent>> byPartition = new ArrayList<>(partitions);
    List<List<Integer>> submittedIndexes = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      byPartition.add(new ArrayList<>());
      submittedIndexes.add(new ArrayList<>());
    }
    long bytes = 0;
    for (int i = 0; i < events.size(); i++) {
      CloudEvent event = events.get(i);
      int size = event.getSerializedSize();
      bytes += size;
      if (size > settings.maxEventBytes()) {
        throw new Refusal("event_too_large", "event " + event.getId() + " is " + size
            + " bytes; the limit is " + settings.maxEventBytes());
      }
      eventLimits.check(event);
      checkData(event);
      schemas.validate(topic, event);
      int partition = Partitioner.partitionOf(event, partitions);
      byPartition.get(partition).add(event);
      submittedIndexes.get(partition).add(i);
    }
    return new Routed(events.size(), bytes, byPartition, submittedIndexes);
  }

  private CompletionStage<List<Published>> write(Principal principal, String topicName, Routed routed) {
    // Only what would be written counts; the operator's publishes are not an account's.
    if (principal instanceof Principal.OfAccount caller) {
      rates.take(caller.accountId(), routed.events(), routed.bytes());
    }
    List<List<CloudEvent>> byPartition = routed.byPartition();
    Published[] results = new Published[routed.events()];
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int p = 0; p < byPartition.size(); p++) {
      if (byPartition.get(p).isEmpty()) {
        continue;
      }
      int partition = p;
      List<Integer> indexes = routed.submittedIndexes().get(p);
      EntityRef<TopicPartition.Command> entity =
          sharding.entityRefFor(TopicPartition.ENTITY_KEY, new PartitionRef(topicName, p).entityId());
      writes.add(ShardedAsk.<TopicPartition.Command, TopicPartition.AppendResult>ask(entity,
              replyTo -> new TopicPartition.Append(byPartition.get(partition), replyTo),
              settings.attemptTimeout(), settings.timeout())
          .toCompletableFuture()
          .thenAccept(result -> {
            if (result instanceof TopicPartition.AppendFailed failed) {
              throw new Refusal(failed.rejection().code(), failed.rejection().message(), RETRY_AFTER_UNDURABLE);
            }
            List<StoredPosition> positions = ((TopicPartition.Appended) result).positions();
            for (int k = 0; k < positions.size(); k++) {
              StoredPosition position = positions.get(k);
              results[indexes.get(k)] = new Published(partition, position,
                  new Cursor(topicName, partition, position.sequence(), position.index()).encode());
            }
          }));
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .handle((done, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
            if (cause instanceof Refusal api) {
              throw api;
            }
            throw new Refusal("publish_timeout",
                "the events were not confirmed durable in time; retry with the same ids, duplicates are stored once",
                RETRY_AFTER_UNDURABLE);
          }
          return Arrays.asList(results);
        });
  }

  /**
   * JSON data is exactly one JSON value without repeated keys, nested at most max-json-depth
   * deep, whatever the edge: HTTP parses it, but TCP's {@code json_data} is text the producer
   * wrote, and redaction, filters and consumers must all read the same one value from it.
   */
  private void checkData(CloudEvent event) {
    if (event.getDataCase() != CloudEvent.DataCase.JSON_DATA) {
      return;
    }
    try {
      data.check(event.getJsonData());
    } catch (StrictJsonException e) {
      throw new Refusal(e.code(), "event " + event.getId() + ": data: " + e.getMessage());
    }
  }
}
