package io.tollgate.client;

import java.util.List;

/** The broker's acknowledgement of one publish: one position per event, in the order sent. */
public record PublishResult(int accepted, List<Position> positions) {
  public PublishResult {
    positions = List.copyOf(positions);
  }
}
