package io.tollgate.client;

import io.tollgate.protocols.v1.CloudEvent;
import java.util.ArrayList;
import java.util.List;

final class TestEvents {
  private TestEvents() {}

  static CloudEvent event(String id) {
    return CloudEvent.newBuilder()
        .setSpecVersion("1.0")
        .setId(id)
        .setSource("test")
        .setType("test.event")
        .setJsonData("{\"n\":\"" + id + "\"}")
        .build();
  }

  static List<CloudEvent> events(String prefix, int count) {
    List<CloudEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(event(prefix + i));
    }
    return events;
  }
}
