package io.tollgate.broker.http;

import io.tollgate.broker.error.FieldLengths;
import io.tollgate.protocols.StrictJson;

/**
 * How a management request's body is read: as strict JSON no deeper than
 * {@code tollgate.limits.max-request-json-depth}, with every string no longer than its kind allows.
 */
public record RequestRules(StrictJson json, FieldLengths lengths) {}
