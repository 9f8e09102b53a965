package io.tollgate.broker.topic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContextCustomizer;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.catalog.Catalog;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Topics' JSON Schemas (2020-12, networknt's validator): compiled once per schema text and
 * checked against each event's JSON data on publish, before anything is written.
 *
 * <p>The validator recurses over the data and the schema together, so its depth is bounded by
 * bounding both: data is read by {@link StrictJson} at the events' depth limit, and a schema is
 * at most {@code maxSchemaBytes} long (its depth is the request body's). A schema may refer to
 * itself ({@code {"additionalProperties":{"$ref":"#"}}}); each such step goes one level into the
 * data, so the depth limit ends it. A reference that does not go into the data
 * ({@code {"$ref":"#"}}, {@code {"allOf":[{"$ref":"#"}]}}) recurses forever on any event; such a
 * schema is refused when it is given, by trying it on a few small values. Should the stack
 * still run out, the event is refused with {@code schema_too_complex} rather than letting the
 * error reach Pekko, which would stop the JVM (docs/security.md, "Fatal errors").
 *
 * <p>Depth does not bound time: references that fan out ({@code allOf} of two references to the
 * next definition, n times) make validation exponential in the schema, and two subschemas that
 * both go into the same member make it exponential in the data's depth. So each validation
 * counts its steps ({@link ValidationBudget}) and stops at a budget linear in the data's length
 * ({@link Limits#stepsFor}): a schema that needs more than the floor for one of the small probe
 * values is refused when given, and an event that needs more than its budget is refused with
 * {@code schema_too_costly}. A schema may refer only to itself and to
 * the JSON Schema meta-schemas the validator ships; nothing is fetched from the network or read
 * from the class path. Its regular expressions run in linear time ({@link LinearTimePatterns}).
 */
public final class TopicSchemas {
  private static final int MAX_REPORTED = 5;
  /** Values every schema must be able to validate without recursing forever, whatever it answers. */
  private static final List<JsonNode> PROBES = List.of(JsonNodeFactory.instance.nullNode(),
      JsonNodeFactory.instance.objectNode(), JsonNodeFactory.instance.arrayNode(), JsonNodeFactory.instance.numberNode(0),
      JsonNodeFactory.instance.textNode(""), JsonNodeFactory.instance.booleanNode(true));

  private static final String META_SCHEMAS = "https://json-schema.org/";

  private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
      builder -> builder.schemaLoader(loader -> loader.allow(iri -> iri.toString().startsWith(META_SCHEMAS)))
          .schemaRegistryConfig(SchemaRegistryConfig.builder().regularExpressionFactory(new LinearTimePatterns()).build()));
  /** The 2020-12 meta-schema, which the validator ships: a schema must satisfy it to be accepted. */
  private final Schema metaSchema = registry.getSchema(
      SchemaLocation.of(SpecificationVersion.DRAFT_2020_12.getDialectId()));
  private final Map<String, Schema> compiled = new ConcurrentHashMap<>();
  private final StrictJson data;
  private final Limits limits;

  /**
   * How large a schema may be and how much work one validation may do: at most
   * {@code minValidationSteps}, or {@code validationStepsPerByte} for each byte of the data if
   * that is more. Honest validation takes a few steps per value, so its work grows with the data;
   * only references that fan out grow faster.
   */
  public record Limits(int maxSchemaBytes, int minValidationSteps, int validationStepsPerByte) {
    int stepsFor(int dataBytes) {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(minValidationSteps, (long) validationStepsPerByte * dataBytes));
    }
  }

  public TopicSchemas(StrictJson data, Limits limits) {
    this.data = data;
    this.limits = limits;
  }

  /** Compiles a schema as the API receives it; {@code invalid_schema} when it is not one. */
  public String checked(JsonNode schema) {
    if (!schema.isObject()) {
      throw new Refusal("invalid_schema", "a JSON Schema is an object");
    }
    String text = schema.toString();
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.maxSchemaBytes()) {
      throw new Refusal("schema_too_large", "the schema is " + bytes + " bytes of JSON; the limit is "
          + limits.maxSchemaBytes() + " (tollgate.limits.max-schema-bytes)");
    }
    List<Error> errors;
    try {
      errors = validate(metaSchema, schema, limits.stepsFor(bytes));
    } catch (ValidationBudget.Exhausted e) {
      throw new Refusal("schema_too_complex", "checking the schema against the meta-schema takes more than "
          + limits.stepsFor(bytes) + " steps (tollgate.limits.validation-steps)");
    } catch (StackOverflowError e) {
      throw new Refusal("schema_too_complex", "checking the schema against the meta-schema recursed too deep");
    }
    if (!errors.isEmpty()) {
      throw new Refusal("invalid_schema", "not a JSON Schema 2020-12: " + errors.stream().limit(MAX_REPORTED)
          .map(error -> error.getInstanceLocation() + " " + error.getMessage()).collect(Collectors.joining("; ")));
    }
    Schema compiled;
    try {
      compiled = compile(text);
    } catch (RuntimeException e) {
      throw new Refusal("invalid_schema", "the schema cannot be compiled: " + e.getMessage());
    }
    for (JsonNode probe : PROBES) {
      try {
        validate(compiled, probe, limits.minValidationSteps());
      } catch (ValidationBudget.Exhausted e) {
        throw new Refusal("schema_too_complex", "validating " + probe + " against the schema takes more than "
            + limits.minValidationSteps() + " steps (tollgate.limits.validation-steps.min); its references fan out");
      } catch (StackOverflowError e) {
        throw new Refusal("schema_too_complex", "the schema refers to itself without going into the data"
            + " (as {\"$ref\":\"#\"} does), so validating " + probe + " never ends");
      } catch (RuntimeException e) {
        throw new Refusal("invalid_schema", "the schema cannot validate " + probe + ": " + e.getMessage());
      }
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
      int dataBytes = event.getJsonDataBytes().size();
      JsonNode tree;
      try {
        tree = data.read(event.getJsonData());
      } catch (StrictJsonException e) {
        throw new Refusal(e.code(), "event " + event.getId() + ": data: " + e.getMessage());
      }
      List<Error> errors;
      try {
        errors = validate(compile(schema), tree, limits.stepsFor(dataBytes));
      } catch (ValidationBudget.Exhausted e) {
        throw new Refusal("schema_too_costly", "event " + event.getId() + ": validating its " + dataBytes
            + " bytes of data against " + topic.name() + "'s schema takes more than " + limits.stepsFor(dataBytes)
            + " steps (tollgate.limits.validation-steps)");
      } catch (RuntimeException e) {
        throw new Refusal("schema_violation", "event " + event.getId() + ": " + topic.name()
            + "'s schema cannot validate it: " + e.getMessage());
      } catch (StackOverflowError e) {
        throw new Refusal("schema_too_complex", "event " + event.getId() + ": validating it against "
            + topic.name() + "'s schema recursed too deep; simplify the schema's references or the data");
      }
      if (!errors.isEmpty()) {
        throw new Refusal("schema_violation", "event " + event.getId() + " does not match schema version "
            + topic.schemas().size() + " of " + topic.name() + ": " + errors.stream().limit(MAX_REPORTED)
                .map(error -> error.getInstanceLocation() + " " + error.getMessage())
                .collect(Collectors.joining("; ")));
      }
    });
  }

  private static List<Error> validate(Schema schema, JsonNode value, int maxSteps) {
    ValidationBudget budget = new ValidationBudget(schema.createExecutionContext().getExecutionConfig(), maxSteps);
    return schema.validate(budget, value, OutputFormat.DEFAULT, (ExecutionContextCustomizer) null);
  }

  private Schema compile(String schema) {
    return compiled.computeIfAbsent(schema, registry::getSchema);
  }
}
