package io.tollgate.protocols.redaction;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.protocols.StrictJson;
import io.tollgate.protocols.StrictJsonException;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.RedactionRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes redaction with any rules on any data. Rules are a {@link Redaction} or a
 * {@link RedactionException}. Applying one never throws and fails closed: what goes out is
 * either no data or strict JSON in which every masked object member reads
 * {@value Redaction#MASKED} and every removed one is gone. Seeds:
 * {@code RedactionFuzzTestInputs/}.
 */
class RedactionFuzzTest {
  private static final StrictJson JSON = new StrictJson(StrictJson.CEILING);

  @FuzzTest(maxDuration = "60s")
  void redactAnything(FuzzedDataProvider data) {
    List<RedactionRule> entries = new ArrayList<>();
    int count = data.consumeInt(1, 4);
    for (int i = 0; i < count; i++) {
      entries.add(RedactionRule.newBuilder().setPointer(data.consumeString(30))
          .setAction(data.consumeBoolean() ? "mask" : "remove").build());
    }
    Redaction redaction;
    try {
      redaction = Redaction.parse(entries);
    } catch (RedactionException refused) {
      return;
    }
    CloudEvent event = CloudEvent.newBuilder().setSpecVersion("1.0").setId("e").setSource("/s").setType("t")
        .setJsonData(data.consumeRemainingAsString()).build();
    CloudEvent out = redaction.apply(event);
    if (out.getDataCase() == CloudEvent.DataCase.DATA_NOT_SET) {
      return;
    }
    JsonNode tree;
    try {
      tree = JSON.read(out.getJsonData());
    } catch (StrictJsonException e) {
      throw new AssertionError("redaction let through data it could not read: " + out.getJsonData(), e);
    }
    for (Redaction.Rule rule : redaction.rules()) {
      if (coveredByAnother(rule, redaction.rules())) {
        continue;
      }
      JsonNode after = tree.at(rule.pointer().text());
      if (rule.action() == Redaction.Action.MASK) {
        assertTrue(after.isMissingNode() || after.asText().equals(Redaction.MASKED), rule + " left " + after);
      } else {
        assertTrue(after.isMissingNode(), rule + " left " + after);
      }
    }
  }

  /**
   * Rules whose outcome depends on the others: one under or over another rule's pointer, or one
   * naming an array element (removing an element moves the next into its place).
   */
  private static boolean coveredByAnother(Redaction.Rule rule, List<Redaction.Rule> rules) {
    String text = rule.pointer().text();
    return rules.stream().anyMatch(other -> other != rule
        && ((text + "/").startsWith(other.pointer().text() + "/") || other.pointer().text().startsWith(text + "/")))
        || rule.pointer().tokens().stream().anyMatch(token -> JsonPointer.index(token) >= 0);
  }
}
