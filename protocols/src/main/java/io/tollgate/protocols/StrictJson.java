package io.tollgate.protocols;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;

/**
 * The one way JSON from outside is read: exactly one value, no repeated key in any object, and
 * containers nested at most {@code maxDepth} deep. Anything else is a {@link StrictJsonException}
 * with its own code, raised while parsing, so no later step (schema validation, redaction,
 * filters, {@code toString}) ever recurses over input deeper than the limit, and no two readers
 * can disagree about which copy of a repeated key counts.
 *
 * <p>Numbers are read exactly ({@code BigDecimal}), so a tree written out again says what the
 * text said. Instances are immutable and thread-safe.
 */
public final class StrictJson {
  /** Event data nested deeper than this is refused unless configured otherwise. */
  public static final int DEFAULT_MAX_DEPTH = 64;
  /** No limit may be configured above this: it keeps every recursion over a tree far from the stack's end. */
  public static final int CEILING = 1000;

  private final int maxDepth;
  private final JsonFactory factory;
  private final ObjectMapper mapper;

  public StrictJson(int maxDepth) {
    if (maxDepth < 1 || maxDepth > CEILING) {
      throw new IllegalArgumentException("a JSON depth limit is between 1 and " + CEILING + ", not " + maxDepth);
    }
    this.maxDepth = maxDepth;
    this.factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.mapper = new ObjectMapper(factory)
        .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  }

  public int maxDepth() {
    return maxDepth;
  }

  /** The same rules with room for {@code levels} more, for an envelope around checked content. */
  public StrictJson deeper(int levels) {
    return new StrictJson(Math.min(CEILING, maxDepth + levels));
  }

  public JsonNode read(byte[] json) {
    try (JsonParser parser = factory.createParser(json)) {
      return read(parser);
    } catch (IOException e) {
      throw refusal(e);
    } catch (NumberFormatException e) {
      throw unreadableNumber(e);
    }
  }

  public JsonNode read(String json) {
    try (JsonParser parser = factory.createParser(json)) {
      return read(parser);
    } catch (IOException e) {
      throw refusal(e);
    } catch (NumberFormatException e) {
      throw unreadableNumber(e);
    }
  }

  /**
   * Checks the text as {@link #read} does, without building a tree. Decimals are decoded as
   * {@code read} decodes them, so text that passes here is text {@code read} accepts.
   */
  public void check(String json) {
    try (JsonParser parser = factory.createParser(json)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw nothing();
      }
      int open = 0;
      do {
        if (token.isStructStart()) {
          open++;
        } else if (token.isStructEnd()) {
          open--;
        } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
          parser.getDecimalValue();
        }
      } while (open > 0 && (token = parser.nextToken()) != null);
      requireEnd(parser);
    } catch (IOException e) {
      throw refusal(e);
    } catch (NumberFormatException e) {
      throw unreadableNumber(e);
    }
  }

  private JsonNode read(JsonParser parser) throws IOException {
    if (parser.nextToken() == null) {
      throw nothing();
    }
    JsonNode tree = mapper.readTree(parser);
    requireEnd(parser);
    return tree;
  }

  private static void requireEnd(JsonParser parser) {
    JsonToken next;
    try {
      next = parser.nextToken();
    } catch (IOException e) {
      throw trailing();
    }
    if (next != null) {
      throw trailing();
    }
  }

  private StrictJsonException refusal(IOException e) {
    if (e instanceof StreamConstraintsException) {
      return new StrictJsonException(StrictJsonException.TOO_DEEP,
          "JSON nested more than " + maxDepth + " levels deep");
    }
    if (e instanceof JsonProcessingException parse) {
      String problem = parse.getOriginalMessage();
      if (problem != null && problem.startsWith("Duplicate field '")) {
        return new StrictJsonException(StrictJsonException.DUPLICATE_KEY, "a JSON object repeats the key "
            + problem.substring("Duplicate field ".length()) + "; each key may appear once");
      }
      return new StrictJsonException(StrictJsonException.MALFORMED, "not valid JSON: " + problem);
    }
    // The input is in memory, so this is no I/O failure but bytes that decode to no text:
    // Jackson's encoding detection (UTF-8, -16, -32) throws CharConversionException for them.
    return new StrictJsonException(StrictJsonException.MALFORMED, "not valid JSON text: " + e.getMessage());
  }

  /** Jackson throws this, not a parse exception, for a decimal such as 1E99999999999 that BigDecimal cannot hold. */
  private static StrictJsonException unreadableNumber(NumberFormatException e) {
    return new StrictJsonException(StrictJsonException.MALFORMED, "not valid JSON: a number that cannot be read ("
        + e.getMessage() + ")");
  }

  private static StrictJsonException nothing() {
    return new StrictJsonException(StrictJsonException.MALFORMED, "not valid JSON: there is no value");
  }

  private static StrictJsonException trailing() {
    return new StrictJsonException(StrictJsonException.TRAILING, "more than one JSON value: something follows the first");
  }
}
