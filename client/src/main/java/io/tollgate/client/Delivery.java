package io.tollgate.client;

import io.tollgate.protocols.v1.CloudEvent;

/** One event received on a subscription; {@code cursor} is what acknowledges it. */
public record Delivery(String cursor, String topic, int partition, long offset, CloudEvent event) {}
