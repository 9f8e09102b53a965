package io.tollgate.client;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A WebSocket server on a loopback port. {@link #burstThenClose} answers every upgrade with the
 * 101, the given frames and a close in one write, as a broker's first burst follows its 101 at
 * once; {@link #silent} sends nothing and answers the client's close. Either reads the client's
 * frames until its close, then hangs up. Hand-written because the test needs exactly that timing,
 * which a real server does not let it choose.
 */
final class FakeWebSocketServer implements AutoCloseable {
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int TEXT = 0x1;
  private static final int CONTINUATION = 0x0;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;

  /** One upgraded connection: what the client asked for, the text messages and pongs it sent, its close status. */
  record Connection(String path, String authorization, List<String> received, List<String> pongs,
                    CompletableFuture<Integer> clientClose) {}

  final BlockingQueue<Connection> connections = new LinkedBlockingQueue<>();
  private final ServerSocket server;
  private final byte[] afterUpgrade;
  private final boolean closesFirst;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private FakeWebSocketServer(byte[] afterUpgrade, boolean closesFirst) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.afterUpgrade = afterUpgrade;
    this.closesFirst = closesFirst;
    Thread acceptor = new Thread(this::accept, "fake-websocket-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Sends the frames and a normal close right behind each 101, in the same write. */
  static FakeWebSocketServer burstThenClose(byte[] frames) throws IOException {
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    burst.writeBytes(frames);
    burst.writeBytes(close(1000));
    return new FakeWebSocketServer(burst.toByteArray(), true);
  }

  /** Sends nothing after each 101, and answers the client's close with one. */
  static FakeWebSocketServer silent() throws IOException {
    return new FakeWebSocketServer(new byte[0], false);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  static byte[] text(String message) {
    return frame(TEXT, true, message.getBytes(StandardCharsets.UTF_8));
  }

  /** The message as {@code parts} frames, cut at byte offsets that may split a UTF-8 sequence. */
  static byte[] fragments(String message, int parts) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int step = bytes.length / parts + 1;
    for (int start = 0, part = 0; start < bytes.length; start += step, part++) {
      byte[] piece = Arrays.copyOfRange(bytes, start, Math.min(bytes.length, start + step));
      out.writeBytes(frame(part == 0 ? TEXT : CONTINUATION, start + step >= bytes.length, piece));
    }
    return out.toByteArray();
  }

  static byte[] ping(String payload) {
    return frame(PING, true, payload.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] close(int status) {
    return frame(CLOSE, true, new byte[] {(byte) (status >> 8), (byte) status});
  }

  private static byte[] frame(int opcode, boolean fin, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 10);
    out.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      out.write(payload.length);
    } else if (payload.length < 65536) {
      out.write(126);
      out.write(payload.length >> 8);
      out.write(payload.length);
    } else {
      out.write(127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >> shift));
      }
    }
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread serving = new Thread(() -> serve(socket), "fake-websocket-connection");
        serving.setDaemon(true);
        serving.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String path = null;
      String authorization = null;
      String key = null;
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        if (path == null) {
          path = line.split(" ")[1];
          continue;
        }
        int colon = line.indexOf(':');
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        if (name.equals("authorization")) {
          authorization = value;
        } else if (name.equals("sec-websocket-key")) {
          key = value;
        }
      }
      Connection connection = new Connection(path, authorization, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(),
          new CompletableFuture<>());
      connections.add(connection);
      ByteArrayOutputStream reply = new ByteArrayOutputStream();
      reply.writeBytes(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      reply.writeBytes(afterUpgrade);
      socket.getOutputStream().write(reply.toByteArray());
      socket.getOutputStream().flush();
      int status = readUntilClose(in, connection);
      if (!closesFirst) {
        socket.getOutputStream().write(close(status));
      }
    } catch (IOException e) {
      // The client hung up or the test closed the server: this connection is over either way.
    }
  }

  /** Returns the status of the client's close. */
  private static int readUntilClose(DataInputStream in, Connection connection) throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    while (true) {
      int first = in.readUnsignedByte();
      int second = in.readUnsignedByte();
      long length = second & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] mask = new byte[4];
      if ((second & 0x80) != 0) {
        in.readFully(mask);
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      if ((first & 0x0F) == PONG) {
        connection.pongs().add(new String(payload, StandardCharsets.UTF_8));
        continue;
      }
      if ((first & 0x0F) == CLOSE) {
        int status = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1000;
        connection.clientClose().complete(status);
        return status;
      }
      message.writeBytes(payload);
      if ((first & 0x80) != 0) {
        connection.received().add(message.toString(StandardCharsets.UTF_8));
        message.reset();
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the request head ended early");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private static String accept(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
