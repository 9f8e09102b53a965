package io.tollgate.broker.topic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.v1.CloudEvent;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Topics' JSON Schemas (2020-12, networknt's validator): compiled once per schema text and
 * checked against each event's JSON data on publish, before anything is written.
 */
public final class TopicSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REPORTED = 5;

  private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  /** The 2020-12 meta-schema, which the validator ships: a schema must satisfy it to be accepted. */
  private final Schema metaSchema = registry.getSchema(
      SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
  private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

  /** Compiles a schema as the API receives it; {@code invalid_schema} when it is not one. */
  public String checked(JsonNode schema) {
    if (!schema.isObject()) {
      throw new Refusal("invalid_schema", "a JSON Schema is an object");
    }
    List<Error> errors = metaSchema.validate(schema);
    if (!errors.isEmpty()) {
      throw new Refusal("invalid_schema", "not a JSON Schema 2020-12: " + errors.stream().limit(MAX_REPORTED)
          .map(error -> error.getInstanceLocation() + " " + error.getMessage()).collect(Collectors.joining("; ")));
    }
    String text = schema.toString();
    try {
      compile(text);
    } catch (RuntimeException e) {
      throw new Refusal("invalid_schema", "the schema cannot be compiled: " + e.getMessage());
    }
    return text;
  }

  /** Refuses with {@code schema_violation}, naming each failing path, an event the topic's schema rejects. */
  public void validate(Catalog.Topic topic, CloudEvent event) {
    topic.currentSchema().ifPresent(schema -> {
      if (event.getDataCase() != CloudEvent.DataCase.JSON_DATA) {
        throw new Refusal("schema_violation", "event " + event.getId() + ": topic " + topic.name()
            + " has a JSON Schema, so the event's data must be JSON");
      }
      JsonNode data;
      try {
        data = JSON.readTree(event.getJsonData());
      } catch (IOException e) {
        throw new Refusal("schema_violation", "event " + event.getId() + ": data is not valid JSON");
      }
      List<Error> errors = compile(schema).validate(data);
      if (!errors.isEmpty()) {
        throw new Refusal("schema_violation", "event " + event.getId() + " does not match schema version "
            + topic.schemas().size() + " of " + topic.name() + ": " + errors.stream().limit(MAX_REPORTED)
                .map(error -> error.getInstanceLocation() + " " + error.getMessage())
                .collect(Collectors.joining("; ")));
      }
    });
  }

  private Schema compile(String schema) {
    return compiled.computeIfAbsent(schema, registry::getSchema);
  }
}
