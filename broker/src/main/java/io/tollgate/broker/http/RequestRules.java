package io.tollgate.broker.http;

import io.tollgate.broker.error.FieldLengths;
import io.tollgate.protocols.StrictJson;

/**
 * How a management request's body is read: at most {@code maxBytes} long
 * ({@code tollgate.limits.max-request-bytes}, else 413 {@code request_too_large}), as strict JSON
 * no deeper than {@code tollgate.limits.max-request-json-depth}, with every string no longer than
 * its kind allows. The byte limit bounds every list a body carries (plan tiers and redaction
 * rules, a key's resources), and so what one catalog entry may cost.
 */
public record RequestRules(StrictJson json, FieldLengths lengths, int maxBytes) {}
