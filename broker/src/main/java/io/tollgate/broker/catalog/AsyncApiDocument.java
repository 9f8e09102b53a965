package io.tollgate.broker.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * A product described as an AsyncAPI 3.0.0 document: how to receive each of its topics on a
 * subscription's WebSocket stream or server-sent event stream and, for the product's owner, how
 * to publish to them over HTTP.
 *
 * <p>One channel per topic, keyed by the topic's name, on the {@code websocket} server. Its
 * address is the stream of a subscription to the product: one stream carries every topic of the
 * product, each delivery naming its topic, so the channels share that address. The same events as
 * server-sent events are a channel {@code events_<topic>} on the {@code sse} server, at the
 * subscription's {@code /events} address. Each message is a
 * CloudEvent: its context attributes are the message's headers and its data the payload, described
 * by the topic's current JSON Schema (2020-12, declared as the payload's {@code schemaFormat}).
 * Publishing is a channel {@code publish_<topic>} on the {@code http} server; the prefixes cannot
 * collide with a topic, since domain names have no underscore.
 *
 * <p>A retired product says so in its info (AsyncAPI 3.0 has no {@code deprecated} for a whole
 * document): a {@code retired} tag and {@code x-tollgate-retired-at}; a retired topic's channel
 * the same. Its subscribers still read the document, and their streams run on.
 */
public final class AsyncApiDocument {
  private static final String VERSION = "3.0.0";
  private static final String JSON_SCHEMA_2020_12 = "application/schema+json;version=draft-2020-12";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STREAM_ADDRESS = "/subscriptions/{subscription}/stream";
  private static final String EVENTS_ADDRESS = "/subscriptions/{subscription}/events";

  private AsyncApiDocument() {}

  /**
   * The document for {@code product} as {@code catalog}'s viewer may see it; {@code host} is where
   * clients reach the node's HTTP port ({@code host:port}), for both servers; {@code jwtIssuer}
   * is the issuer whose bearer tokens the node accepts besides keys, when it accepts any;
   * {@code tls}: the servers are {@code wss} and {@code https}, not {@code ws} and {@code http}.
   */
  public static ObjectNode of(VisibleCatalog catalog, Catalog.Product product, String host, Optional<String> jwtIssuer,
                              boolean tls) {
    List<Catalog.Topic> topics = catalog.topicsOf(product).toList();
    boolean publishing = catalog.owns(product);
    ObjectNode document = JSON.createObjectNode().put("asyncapi", VERSION).put("id", "urn:tollgate:product:" + product.id());
    ObjectNode info = document.putObject("info").put("title", product.name()).put("version", version(topics))
        .put("description", product.description().isEmpty()
            ? "Events of the Tollgate product " + product.name() + " (" + product.id() + ")." : product.description());
    product.retiredAt().ifPresent(at -> markRetired(info, at, "The product was retired at " + at + ": it takes no new"
        + " subscriptions; those it has run on under their plans until they end."));
    document.put("defaultContentType", "application/json");
    servers(document.putObject("servers"), host, jwtIssuer.isPresent(), tls);
    ObjectNode channels = document.putObject("channels");
    ObjectNode operations = document.putObject("operations");
    ObjectNode components = document.putObject("components");
    ObjectNode messages = components.putObject("messages");
    for (Catalog.Topic topic : topics) {
      messages.set(topic.name(), message(topic));
      channels.set(topic.name(), streamChannel(topic, product));
      operations.set("receive_" + topic.name(), operation("receive", topic.name(),
          "Receive the events of " + topic.name() + " on the stream of a subscription to " + product.id() + "."));
      channels.set("events_" + topic.name(), eventStreamChannel(topic, product));
      ObjectNode receiveEvents = operation("receive", "events_" + topic.name(), "Receive the events of " + topic.name()
          + " as server-sent events of a subscription to " + product.id() + ".");
      ObjectNode get = receiveEvents.putObject("bindings").putObject("http").put("method", "GET");
      accessTokenQuery(get.putObject("query"));
      get.put("bindingVersion", "0.3.0");
      operations.set("receive_events_" + topic.name(), receiveEvents);
      if (publishing) {
        channels.set("publish_" + topic.name(), publishChannel(topic));
        ObjectNode send = operation("send", "publish_" + topic.name(), "Publish events to " + topic.name()
            + ": one CloudEvent (application/cloudevents+json), a batch (application/cloudevents-batch+json) or binary"
            + " mode (ce-* headers). The 202 reply comes once the events are durable.");
        send.putObject("bindings").putObject("http").put("method", "POST").put("bindingVersion", "0.3.0");
        operations.set("publish_" + topic.name(), send);
      }
    }
    securitySchemes(components.putObject("securitySchemes"), jwtIssuer);
    components.putObject("schemas").set("CloudEventAttributes", cloudEventAttributes());
    return document;
  }

  private static void markRetired(ObjectNode node, java.time.Instant at, String description) {
    node.putArray("tags").addObject().put("name", "retired").put("description", description);
    node.put("x-tollgate-retired-at", at.toString());
  }

  /** Grows with each schema version of the product's topics, the only part of the document that changes. */
  private static String version(List<Catalog.Topic> topics) {
    return Integer.toString(1 + topics.stream().mapToInt(topic -> topic.schemas().size()).sum());
  }

  private static void servers(ObjectNode servers, String host, boolean jwt, boolean tls) {
    ObjectNode websocket = servers.putObject("websocket").put("host", host).put("protocol", tls ? "wss" : "ws").put("pathname", "/v1")
        .put("title", "Streams")
        .put("description", "The node's WebSocket streams. A stream sends {\"type\":\"event\",\"cursor\",\"topic\","
            + "\"partition\",\"offset\",\"event\":<CloudEvent>} frames, or several as {\"type\":\"batch\",\"events\":[...]};"
            + " the client acknowledges with {\"type\":\"ack\",\"cursor\"}, which covers that event and every earlier one"
            + " of its partition. A reconnect resumes after the last ack. Subprotocol tollgate.v1.json (default) or"
            + " tollgate.v1.protobuf.");
    security(websocket.putArray("security"), jwt);
    ObjectNode sse = servers.putObject("sse").put("host", host).put("protocol", tls ? "https" : "http")
        .put("pathname", "/v1").put("title", "Server-sent event streams")
        .put("description", "The same streams as text/event-stream (GET with \"Accept: text/event-stream\"), over"
            + " HTTP/1.1 or HTTP/2. Each delivery is an event named event whose id is its cursor and whose data is the"
            + " WebSocket event frame's JSON; notices are events named error, quota, plan or retention. The client"
            + " acknowledges with POST /v1/subscriptions/{subscription}/acks {\"cursor\"}, which covers that event and"
            + " every earlier one of its partition, or by reconnecting with Last-Event-ID: <cursor>, which also resumes"
            + " after it.");
    security(sse.putArray("security"), jwt);
    ObjectNode http = servers.putObject("http").put("host", host).put("protocol", tls ? "https" : "http").put("pathname", "/v1")
        .put("title", "HTTP API").put("description", "The node's HTTP API, where producers publish CloudEvents.");
    security(http.putArray("security"), jwt);
  }

  private static void security(ArrayNode requirements, boolean jwt) {
    requirements.addObject().put("$ref", "#/components/securitySchemes/apiKey");
    requirements.addObject().put("$ref", "#/components/securitySchemes/apiKeyQuery");
    if (jwt) {
      requirements.addObject().put("$ref", "#/components/securitySchemes/jwt");
    }
  }

  /**
   * The two ways a node accepts an API key (HttpApi.authenticated): a bearer header, or the
   * {@code access_token} query parameter for browsers' WebSockets, which cannot set headers.
   */
  private static void securitySchemes(ObjectNode schemes, Optional<String> jwtIssuer) {
    schemes.putObject("apiKey").put("type", "http").put("scheme", "bearer").put("bearerFormat", "Tollgate API key")
        .put("description", "A Tollgate API key as \"Authorization: Bearer <key>\". Streaming takes the subscribe"
            + " scope of the subscribing account; publishing takes the publish scope of the topic's owner.");
    schemes.putObject("apiKeyQuery").put("type", "httpApiKey").put("name", "access_token").put("in", "query")
        .put("description", "The same API key as the access_token query parameter, for clients that cannot set"
            + " headers (browsers' WebSocket and EventSource). Prefer the header: URLs end up in logs.");
    jwtIssuer.ifPresent(issuer -> schemes.putObject("jwt").put("type", "http").put("scheme", "bearer")
        .put("bearerFormat", "JWT").put("description", "A JWT from " + issuer + " as \"Authorization: Bearer <token>\""
            + " (or the access_token query parameter), naming the account and carrying its scopes; a stream opened"
            + " with it ends when it expires."));
  }

  private static ObjectNode streamChannel(Catalog.Topic topic, Catalog.Product product) {
    ObjectNode channel = JSON.createObjectNode().put("address", STREAM_ADDRESS).put("title", topic.name())
        .put("description", "The events of topic " + topic.name() + " (" + topic.partitions() + " partitions, ordered"
            + " within each). The stream of a subscription carries every topic of its product; each delivery names"
            + " its topic. Delivery is at least once.");
    channel.putArray("servers").addObject().put("$ref", "#/servers/websocket");
    topic.retiredAt().ifPresent(at -> markRetired(channel, at, "The topic was retired at " + at + ": no more products"
        + " bundle it; this product's streams still carry it."));
    channel.putObject("parameters").putObject("subscription")
        .put("description", "The id (sub_…) of the caller's subscription to " + product.id() + ".");
    channel.putObject("messages").putObject("event").put("$ref", "#/components/messages/" + topic.name());
    ObjectNode ws = channel.putObject("bindings").putObject("ws").put("method", "GET");
    accessTokenQuery(ws.putObject("query"));
    ObjectNode headers = ws.putObject("headers").put("type", "object");
    ObjectNode headerProperties = headers.putObject("properties");
    headerProperties.putObject("Authorization").put("type", "string").put("pattern", "^Bearer ");
    ArrayNode subprotocols = headerProperties.putObject("Sec-WebSocket-Protocol").put("type", "string").putArray("enum");
    subprotocols.add("tollgate.v1.json").add("tollgate.v1.protobuf");
    ws.put("bindingVersion", "0.1.0");
    return channel;
  }

  /** The topic's events on a subscription's server-sent event stream, which carries every topic of the product. */
  private static ObjectNode eventStreamChannel(Catalog.Topic topic, Catalog.Product product) {
    ObjectNode channel = JSON.createObjectNode().put("address", EVENTS_ADDRESS)
        .put("title", topic.name() + " as server-sent events")
        .put("description", "The events of topic " + topic.name() + " (" + topic.partitions() + " partitions, ordered"
            + " within each) on the server-sent event stream of a subscription, which carries every topic of its"
            + " product on the same cursor as its WebSocket stream. Delivery is at least once.");
    channel.putArray("servers").addObject().put("$ref", "#/servers/sse");
    channel.putObject("parameters").putObject("subscription")
        .put("description", "The id (sub_…) of the caller's subscription to " + product.id() + ".");
    channel.putObject("messages").putObject("event").put("$ref", "#/components/messages/" + topic.name());
    return channel;
  }

  /** The {@code access_token} query parameter, for clients that cannot set headers. */
  private static void accessTokenQuery(ObjectNode query) {
    query.put("type", "object").putObject("properties").putObject("access_token").put("type", "string")
        .put("description", "The API key, when it cannot be sent as a header.");
  }

  private static ObjectNode publishChannel(Catalog.Topic topic) {
    ObjectNode channel = JSON.createObjectNode().put("address", "/topics/" + topic.name() + "/events")
        .put("title", "Publish to " + topic.name());
    channel.putArray("servers").addObject().put("$ref", "#/servers/http");
    channel.putObject("messages").putObject("event").put("$ref", "#/components/messages/" + topic.name());
    return channel;
  }

  private static ObjectNode operation(String action, String channel, String summary) {
    ObjectNode operation = JSON.createObjectNode().put("action", action).put("summary", summary);
    operation.putObject("channel").put("$ref", "#/channels/" + channel);
    operation.putArray("messages").addObject().put("$ref", "#/channels/" + channel + "/messages/event");
    return operation;
  }

  private static ObjectNode message(Catalog.Topic topic) {
    ObjectNode message = JSON.createObjectNode().put("name", topic.name()).put("title", "An event of " + topic.name());
    message.putObject("headers").put("$ref", "#/components/schemas/CloudEventAttributes");
    topic.currentSchema().ifPresentOrElse(schema -> {
      message.put("summary", "data follows version " + topic.schemas().size() + " of the topic's JSON Schema.");
      message.put("contentType", "application/json");
      message.putObject("payload").put("schemaFormat", JSON_SCHEMA_2020_12).set("schema", parse(schema));
    }, () -> message.put("summary", "The topic has no schema: data may be any JSON, text or bytes."));
    ObjectNode http = message.putObject("bindings").putObject("http");
    ObjectNode contentType = http.putObject("headers").put("type", "object").putObject("properties").putObject("Content-Type");
    contentType.put("type", "string").putArray("enum").add("application/cloudevents+json")
        .add("application/cloudevents-batch+json");
    http.put("bindingVersion", "0.3.0");
    return message;
  }

  /** The CloudEvents 1.0 context attributes a Tollgate event carries beside its data. */
  private static ObjectNode cloudEventAttributes() {
    ObjectNode schema = JSON.createObjectNode().put("type", "object")
        .put("description", "CloudEvents 1.0 context attributes: beside data in a structured event, ce-* headers in"
            + " binary mode.");
    schema.putArray("required").add("specversion").add("id").add("source").add("type");
    ObjectNode properties = schema.putObject("properties");
    properties.putObject("specversion").put("type", "string").put("const", "1.0");
    properties.putObject("id").put("type", "string").put("description", "Unique per source; a repeated (source, id) is stored once.");
    properties.putObject("source").put("type", "string").put("format", "uri-reference");
    properties.putObject("type").put("type", "string");
    properties.putObject("subject").put("type", "string")
        .put("description", "Chooses the partition when partitionkey is absent.");
    properties.putObject("time").put("type", "string").put("format", "date-time");
    properties.putObject("datacontenttype").put("type", "string");
    properties.putObject("dataschema").put("type", "string").put("format", "uri");
    properties.putObject("partitionkey").put("type", "string")
        .put("description", "CloudEvents partitioning extension: events with the same key go to the same partition, in order.");
    return schema;
  }

  private static JsonNode parse(String schema) {
    try {
      return JSON.readTree(schema);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a topic's schema was checked when it was stored, yet does not parse", e);
    }
  }
}
