package io.tollgate.broker.e2e;

import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.util.ArrayList;
import java.util.List;

/** Test events: ids that say their order, data of a chosen size. */
public final class Events {
  private Events() {}

  public static CloudEvent event(String source, String id, String partitionKey, String json) {
    CloudEvent.Builder event = CloudEvent.newBuilder().setSpecVersion("1.0").setSource(source).setId(id)
        .setType("com.example.order.created")
        .putAttributes("datacontenttype", AttributeValue.newBuilder().setCeString("application/json").build())
        .setJsonData(json);
    if (partitionKey != null) {
      event.putAttributes("partitionkey", AttributeValue.newBuilder().setCeString(partitionKey).build());
    }
    return event.build();
  }

  public static List<CloudEvent> numbered(String source, int from, int count) {
    List<CloudEvent> events = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      events.add(event(source, "e" + i, null, "{\"n\":" + i + "}"));
    }
    return events;
  }
}
