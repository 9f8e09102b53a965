package io.tollgate.broker.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StoreAvailabilityTest {

  @Test
  void aStoreIsAvailableUntilProbedOtherwise() {
    assertTrue(new StoreAvailability(2).available());
  }

  @Test
  void oneFailedProbeAmongSuccessesIsASlowMomentNotAnOutage() {
    StoreAvailability store = new StoreAvailability(2);
    store.probed(false);
    store.probed(true);
    store.probed(false);
    assertTrue(store.available());
  }

  @Test
  void failuresInARowMakeTheStoreUnavailableAndOneSuccessMakesItAvailableAgain() {
    StoreAvailability store = new StoreAvailability(2);
    store.probed(false);
    store.probed(false);
    assertFalse(store.available());
    store.probed(false);
    assertFalse(store.available());
    store.probed(true);
    assertTrue(store.available());
  }

  @Test
  void aStoreNeedsAtLeastOneFailureToBeUnavailable() {
    assertThrows(IllegalArgumentException.class, () -> new StoreAvailability(0));
  }
}
