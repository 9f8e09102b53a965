package io.tollgate.protocols.filter;

import com.google.protobuf.ByteString;
import io.tollgate.protocols.v1.AttributeValue;
import io.tollgate.protocols.v1.CloudEvent;
import java.nio.charset.StandardCharsets;

/** Test events. */
final class Events {
  private Events() {}

  static CloudEvent.Builder base() {
    return CloudEvent.newBuilder().setId("e-1").setSource("/shop").setSpecVersion("1.0")
        .setType("com.shop.order.created")
        .putAttributes("subject", AttributeValue.newBuilder().setCeString("acct-7").build());
  }

  static CloudEvent json(String data) {
    return base().setJsonData(data).build();
  }

  static CloudEvent text(String data) {
    return base().setTextData(data).build();
  }

  static CloudEvent binary(String data) {
    return base().setBinaryData(ByteString.copyFrom(data, StandardCharsets.UTF_8)).build();
  }

  static boolean matches(String filter, CloudEvent event) {
    return EventFilter.parse(filter).matches(event);
  }
}
