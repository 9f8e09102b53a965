package io.tollgate.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A machine without what the partition tests need makes them fail with a message naming it:
 * they do not skip, so a CI machine that lost {@code ip netns} is noticed.
 */
class NetworkNamespacesTest {
  @Test
  void aMissingIpCommandFailsNamingIproute2() {
    NetworkNamespaces.MissingNetworkNamespaces missing = assertThrows(NetworkNamespaces.MissingNetworkNamespaces.class,
        () -> NetworkNamespaces.run("tollgate-no-such-ip-command", "netns", "list"));
    assertTrue(missing.getMessage().contains("`ip netns`"), missing.getMessage());
    assertTrue(missing.getMessage().contains("`tollgate-no-such-ip-command` command (iproute2) is not installed"),
        missing.getMessage());
  }
}
