package io.tollgate.protocols.redaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.RedactionRule;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A plan's field redaction: rules that each remove a field of an event's JSON {@code data}, or
 * replace its value with {@value #MASKED}, before a consumer on the plan receives it. Rules apply
 * in order. A pointer that names nothing in an event leaves it alone; an event none of whose
 * pointers name anything is returned as it was, byte for byte. Text and binary data have no
 * fields and pass unchanged.
 *
 * <p>Redaction fails closed: JSON data that {@link StrictJson} does not read as exactly one
 * value without repeated keys is dropped rather than passed on, since bytes it could not read
 * are bytes it could not redact (with {@code {"card":{"number":…},"card":1}} a last-one-wins
 * reader sees no {@code /card/number} while a consumer's first-one-wins reader does). Publishing
 * refuses such data since strict parsing came in; events journaled before may still hold it.
 */
public final class Redaction {
  /** What a masked value becomes, whatever it was (string, number, object, array...). */
  public static final String MASKED = "***";
  public static final int MAX_RULES = 64;
  public static final int MAX_TOKENS = 32;

  public enum Action {
    REMOVE, MASK;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code remove} or {@code mask}. */
    public static Optional<Action> parse(String text) {
      for (Action action : values()) {
        if (action.wireName().equals(text)) {
          return Optional.of(action);
        }
      }
      return Optional.empty();
    }
  }

  public record Rule(JsonPointer pointer, Action action) {}

  private static final Redaction NONE = new Redaction(List.of());
  /** As deep as any publish limit allows, so that only data no publish could send is dropped for depth. */
  private static final StrictJson JSON = new StrictJson(StrictJson.CEILING);

  private final List<Rule> rules;

  private Redaction(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  public static Redaction none() {
    return NONE;
  }

  /**
   * Rules as the API and the journal hold them (journal.proto {@code RedactionRule}).
   *
   * @throws RedactionException naming the first bad entry: too many rules, a pointer that is
   *     not RFC 6901, is empty, is too deep or repeats, or an action other than remove and mask
   */
  public static Redaction parse(List<RedactionRule> entries) {
    if (entries.size() > MAX_RULES) {
      throw new RedactionException("redact", "at most " + MAX_RULES + " rules, not " + entries.size());
    }
    Set<String> seen = new HashSet<>();
    Rule[] rules = new Rule[entries.size()];
    for (int i = 0; i < rules.length; i++) {
      RedactionRule entry = entries.get(i);
      JsonPointer pointer;
      try {
        pointer = JsonPointer.parse(entry.getPointer());
      } catch (IllegalArgumentException e) {
        throw new RedactionException("redact[" + i + "].pointer", e.getMessage());
      }
      if (pointer.tokens().size() > MAX_TOKENS) {
        throw new RedactionException("redact[" + i + "].pointer", "at most " + MAX_TOKENS + " tokens deep");
      }
      if (!seen.add(pointer.text())) {
        throw new RedactionException("redact[" + i + "].pointer", pointer.text() + " is already redacted by an earlier rule");
      }
      int index = i;
      Action action = Action.parse(entry.getAction()).orElseThrow(() -> new RedactionException(
          "redact[" + index + "].action", "must be \"remove\" or \"mask\", was \"" + entry.getAction() + "\""));
      rules[i] = new Rule(pointer, action);
    }
    return rules.length == 0 ? NONE : new Redaction(List.of(rules));
  }

  public List<Rule> rules() {
    return rules;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** The event as a consumer on the plan may see it. */
  public CloudEvent apply(CloudEvent event) {
    if (rules.isEmpty() || event.getDataCase() != CloudEvent.DataCase.JSON_DATA) {
      return event;
    }
    JsonNode data;
    try {
      data = JSON.read(event.getJsonData());
    } catch (StrictJsonException e) {
      return event.toBuilder().clearData().build();
    }
    boolean changed = false;
    for (Rule rule : rules) {
      changed |= apply(rule, data);
    }
    return changed ? event.toBuilder().setJsonData(data.toString()).build() : event;
  }

  /** Applies one rule to the tree in place; true when its pointer named something. */
  private static boolean apply(Rule rule, JsonNode data) {
    List<String> tokens = rule.pointer().tokens();
    JsonNode parent = data;
    for (int i = 0; i < tokens.size() - 1 && parent != null; i++) {
      parent = child(parent, tokens.get(i));
    }
    String last = tokens.get(tokens.size() - 1);
    if (parent instanceof ObjectNode object && object.has(last)) {
      if (rule.action() == Action.REMOVE) {
        object.remove(last);
      } else {
        object.set(last, TextNode.valueOf(MASKED));
      }
      return true;
    }
    int index = JsonPointer.index(last);
    if (parent instanceof ArrayNode array && index >= 0 && index < array.size()) {
      if (rule.action() == Action.REMOVE) {
        array.remove(index);
      } else {
        array.set(index, TextNode.valueOf(MASKED));
      }
      return true;
    }
    return false;
  }

  private static JsonNode child(JsonNode node, String token) {
    if (node instanceof ObjectNode object) {
      return object.get(token);
    }
    if (node instanceof ArrayNode array) {
      int index = JsonPointer.index(token);
      return index >= 0 ? array.get(index) : null;
    }
    return null;
  }
}
