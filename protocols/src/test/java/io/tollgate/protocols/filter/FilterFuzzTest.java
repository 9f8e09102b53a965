package io.tollgate.protocols.filter;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.Map;

/**
 * Fuzzes the filter language: any text is a filter or a {@link FilterException} (never another
 * exception, never a stack overflow), and a filter it accepts evaluates any event, whatever its
 * data, without throwing. Seeds: {@code FilterFuzzTestInputs/}.
 */
class FilterFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void parseBindAndMatch(FuzzedDataProvider data) {
    String filterText = data.consumeString(2000);
    String subject = data.consumeString(40);
    String eventData = data.consumeRemainingAsString();
    EventFilter filter;
    try {
      filter = EventFilter.parse(filterText).bind(Map.of("account", "acc_1"));
    } catch (FilterException refused) {
      return;
    }
    CloudEvent event = CloudEvent.newBuilder().setSpecVersion("1.0").setId("e").setSource("/s").setType("t")
        .putAttributes("subject", AttributeValue.newBuilder().setCeString(subject).build())
        .setJsonData(eventData).build();
    filter.matches(FilterableEvent.of(event));
    filter.matches(FilterableEvent.of(event.toBuilder().setTextData(eventData).build()));
  }
}
