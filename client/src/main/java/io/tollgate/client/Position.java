package io.tollgate.client;

/**
 * Where the broker stored one published event. {@code duplicate} is true when an event with
 * the same (source, id) was stored before; the position is then the original one.
 */
public record Position(int partition, long offset, String cursor, boolean duplicate) {}
