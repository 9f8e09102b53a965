package io.tollgate.broker.topic;

import io.tollgate.broker.error.FieldLengths;
import io.tollgate.broker.error.Refusal;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.Map;
import java.util.Set;

/**
 * The longest attributes an event may carry and how many extensions, checked by
 * {@link Publisher} for every edge alike (HTTP structured, batch and binary; TCP), once the event
 * is decoded: {@code field_too_long} names the attribute, {@code too_many_extensions} the count.
 * Attribute names need no limit here: the codec takes only the spec's 1 to 20 lower-case letters
 * or digits ({@code CloudEventJson}, {@code invalid_cloudevent}) on every edge.
 * Attributes are stored with every event and sent with every delivery, so the limits bound what
 * one event costs beside its data; the defaults are far above what producers send (ids are
 * UUIDs or keys, sources URIs, types reverse-DNS names).
 */
public record EventLimits(int id, int source, int type, int subject, int otherAttribute, int extensions) {
  /** The optional attributes of the CloudEvents spec, which are not extensions. */
  private static final Set<String> OPTIONAL = Set.of("subject", "datacontenttype", "dataschema", "time");
  private static final String KEY = "tollgate.limits.";

  public void check(CloudEvent event) {
    String which = "event " + shortened(event.getId());
    checkLength(which, "id", event.getId().length(), id, "max-event-id-length");
    checkLength(which, "source", event.getSource().length(), source, "max-event-source-length");
    checkLength(which, "type", event.getType().length(), type, "max-event-type-length");
    checkLength(which, "specversion", event.getSpecVersion().length(), otherAttribute, "max-event-attribute-length");
    int extensionCount = 0;
    for (Map.Entry<String, AttributeValue> attribute : event.getAttributesMap().entrySet()) {
      String name = attribute.getKey();
      if (!OPTIONAL.contains(name)) {
        extensionCount++;
      }
      if (name.equals("subject")) {
        checkLength(which, name, length(attribute.getValue()), subject, "max-event-subject-length");
      } else {
        checkLength(which, name, length(attribute.getValue()), otherAttribute, "max-event-attribute-length");
      }
    }
    if (extensionCount > extensions) {
      throw new Refusal("too_many_extensions", which + " has " + extensionCount + " extension attributes; the most allowed is "
          + extensions + " (" + KEY + "max-extensions)");
    }
  }

  private static void checkLength(String which, String attribute, int length, int limit, String key) {
    if (length > limit) {
      throw FieldLengths.tooLong(which + ": attribute \"" + attribute + "\"", length, limit, KEY + key);
    }
  }

  /** The attribute's length as it is sent: its text, or its bytes in base64. */
  private static int length(AttributeValue value) {
    return switch (value.getAttrCase()) {
      case CE_STRING -> value.getCeString().length();
      case CE_URI -> value.getCeUri().length();
      case CE_URI_REF -> value.getCeUriRef().length();
      case CE_TIMESTAMP -> value.getCeTimestamp().length();
      case CE_BYTES -> (value.getCeBytes().size() + 2) / 3 * 4;
      case CE_BOOLEAN, CE_INTEGER, ATTR_NOT_SET -> 0;
    };
  }

  /** Names echoed in a refusal are cut, so a refusal is never as long as what it refuses. */
  private static String shortened(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }
}
