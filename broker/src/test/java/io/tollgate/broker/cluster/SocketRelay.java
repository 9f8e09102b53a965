package io.tollgate.broker.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries TCP connections between network namespaces through Unix domain sockets. A Unix socket
 * is named by a path in the file system, which every namespace of the machine shares, where a
 * TCP address belongs to one namespace. So a relay inside a node's namespace and one in the test
 * JVM join the node's loopback ports to the test's loopback without an address in the root
 * namespace, and without a path that the partition cuts: clients keep reaching the node that is
 * cut off from its peers, and so does its storage.
 *
 * <p>Each accepted connection is copied both ways by two threads until each side has ended;
 * a refused target closes the accepted connection at once.
 */
public final class SocketRelay implements AutoCloseable {
  private final ServerSocketChannel server;
  private final SocketAddress target;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

  private SocketRelay(ServerSocketChannel server, SocketAddress target) {
    this.server = server;
    this.target = target;
  }

  /** Accepts at {@code at} (a TCP or Unix address; TCP port 0 picks a free one) and connects each to {@code target}. */
  static SocketRelay start(SocketAddress at, SocketAddress target) throws IOException {
    ServerSocketChannel server;
    if (at instanceof UnixDomainSocketAddress unix) {
      Files.deleteIfExists(unix.getPath());
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    } else {
      server = ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
    }
    server.bind(at);
    SocketRelay relay = new SocketRelay(server, target);
    Thread acceptor = new Thread(relay::accept, "relay-" + at);
    acceptor.setDaemon(true);
    acceptor.start();
    return relay;
  }

  /** The TCP port it accepts on. */
  int port() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  private void accept() {
    while (server.isOpen()) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      try {
        SocketChannel upstream = SocketChannel.open(target);
        noDelay(client);
        noDelay(upstream);
        AtomicInteger ended = new AtomicInteger();
        open.add(client);
        open.add(upstream);
        copy(client, upstream, ended);
        copy(upstream, client, ended);
      } catch (IOException refused) {
        closeQuietly(client);
      }
    }
  }

  private void copy(SocketChannel from, SocketChannel to, AtomicInteger ended) {
    Thread copier = new Thread(() -> {
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      boolean clean = true;
      try {
        while (from.read(buffer) >= 0) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            to.write(buffer);
          }
          buffer.clear();
        }
        to.shutdownOutput();
      } catch (IOException broken) {
        clean = false;
      }
      if (!clean || ended.incrementAndGet() == 2) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "relay-copy");
    copier.setDaemon(true);
    copier.start();
  }

  private static void noDelay(SocketChannel channel) throws IOException {
    if (channel.getLocalAddress() instanceof InetSocketAddress) {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }
  }

  private void closeQuietly(SocketChannel channel) {
    open.remove(channel);
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing is all that is left to do with it
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel channel : List.copyOf(open)) {
      closeQuietly(channel);
    }
  }

  /**
   * {@code SocketRelay FROM=TO ...}, each address {@code tcp:HOST:PORT} or {@code unix:PATH}:
   * relays until its standard input ends, which it does when the test JVM that started it exits.
   * Prints {@code relaying} once every address accepts.
   */
  public static void main(String[] args) throws IOException {
    List<SocketRelay> relays = new ArrayList<>();
    for (String pair : args) {
      String[] ends = pair.split("=", 2);
      relays.add(start(address(ends[0]), address(ends[1])));
    }
    System.out.println("relaying");
    System.out.flush();
    InputStream parent = System.in;
    while (parent.read() >= 0) {
      // nothing is sent; the end of the stream is the signal
    }
    for (SocketRelay relay : relays) {
      relay.close();
    }
  }

  static String tcp(String host, int port) {
    return "tcp:" + host + ":" + port;
  }

  static String unix(Path path) {
    return "unix:" + path;
  }

  static SocketAddress address(String text) {
    if (text.startsWith("unix:")) {
      return UnixDomainSocketAddress.of(text.substring("unix:".length()));
    }
    if (text.startsWith("tcp:")) {
      String hostPort = text.substring("tcp:".length());
      int colon = hostPort.lastIndexOf(':');
      return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
    throw new IllegalArgumentException("not tcp:HOST:PORT nor unix:PATH: " + text);
  }
}
