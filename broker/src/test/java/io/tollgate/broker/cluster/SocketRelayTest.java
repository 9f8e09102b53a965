package io.tollgate.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relays the partition tests reach nodes through, over real sockets. */
class SocketRelayTest {
  @TempDir
  Path dir;

  @Test
  void bytesCrossFromTcpThroughAUnixSocketToTcpBothWaysAndAnEndPassesOn() throws Exception {
    try (ServerSocket upper = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (Socket connection = upper.accept()) {
          String asked = new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          connection.getOutputStream().write(asked.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(dir.resolve("upper.sock"));
      try (SocketRelay inner = SocketRelay.start(socket, new InetSocketAddress("127.0.0.1", upper.getLocalPort()));
           SocketRelay outer = SocketRelay.start(new InetSocketAddress("127.0.0.1", 0), socket);
           Socket client = new Socket("127.0.0.1", outer.port())) {
        client.setSoTimeout(10_000);
        client.getOutputStream().write("across namespaces".getBytes(StandardCharsets.UTF_8));
        client.shutdownOutput();
        assertEquals("ACROSS NAMESPACES", new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        served.get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aTargetThatRefusesEndsTheAcceptedConnection() throws Exception {
    int nothingListens;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nothingListens = closed.getLocalPort();
    }
    try (SocketRelay relay = SocketRelay.start(new InetSocketAddress("127.0.0.1", 0),
             new InetSocketAddress("127.0.0.1", nothingListens));
         Socket client = new Socket("127.0.0.1", relay.port())) {
      client.setSoTimeout(10_000);
      assertEquals(-1, client.getInputStream().read());
    }
  }
}
