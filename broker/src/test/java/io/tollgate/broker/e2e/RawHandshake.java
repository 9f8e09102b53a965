package io.tollgate.broker.e2e;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A stream's WebSocket handshake over a plain socket from a chosen loopback address (127.0.0.x
 * all reach the node on 127.0.0.1): the status, and the body of a refusal. After a 101 the socket
 * carries the stream's raw frames, for tests that read what the server sends unasked.
 */
record RawHandshake(Socket socket, int status, String head, String body) implements AutoCloseable {
  /** A frame from the server: its fin bit, opcode and payload. */
  record ServerFrame(boolean fin, int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** A close frame's code, or -1 when it carries none. */
    int closeCode() {
      return payload.length < 2 ? -1 : (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
    }
  }

  private static final byte[] MASK = {0x11, 0x22, 0x33, 0x44};

  static RawHandshake open(TestBroker broker, String localAddress, String subscription, String key) throws Exception {
    return open(broker, localAddress, subscription, key, 0);
  }

  /**
   * The same with a receive buffer of {@code receiveBufferBytes} (0: the system's), so that a test
   * that stops reading fills the connection with few bytes.
   */
  static RawHandshake open(TestBroker broker, String localAddress, String subscription, String key,
                           int receiveBufferBytes) throws Exception {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), broker.baseUrl().getPort()), 10_000);
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(("GET /v1/subscriptions/" + subscription + "/stream HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Authorization: Bearer " + key + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    RawResponse response = RawResponse.read(socket.getInputStream());
    return new RawHandshake(socket, response.status(), response.head(), response.body());
  }

  String errorCode() throws Exception {
    return new RawResponse(status, "", body).errorCode();
  }

  /** Sends a client frame: masked, as a client must, unless a test says otherwise. */
  void send(boolean fin, int opcode, byte[] payload, boolean masked) throws Exception {
    java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
    frame.write((fin ? 0x80 : 0) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      frame.write(maskBit | payload.length);
    } else {
      frame.write(maskBit | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xFF);
    }
    if (masked) {
      frame.writeBytes(MASK);
    }
    for (int i = 0; i < payload.length; i++) {
      frame.write(masked ? payload[i] ^ MASK[i & 3] : payload[i]);
    }
    socket.getOutputStream().write(frame.toByteArray());
    socket.getOutputStream().flush();
  }

  void sendText(boolean fin, int opcode, String text) throws Exception {
    send(fin, opcode, text.getBytes(StandardCharsets.UTF_8), true);
  }

  /** The next server frame, or null when the server closed the connection. */
  ServerFrame nextFrame() throws Exception {
    InputStream in = socket.getInputStream();
    int first = in.read();
    if (first < 0) {
      return null;
    }
    int second = in.read();
    if ((second & 0x80) != 0) {
      throw new AssertionError("a server's frames are not masked");
    }
    int length = second & 0x7f;
    long size = length == 126 ? (in.read() << 8 | in.read()) : length == 127 ? -1 : length;
    if (size < 0) {
      throw new AssertionError("a frame over 64 KiB");
    }
    return new ServerFrame((first & 0x80) != 0, first & 0x0f, in.readNBytes((int) size));
  }

  /** The next frame that is not a keep-alive. */
  ServerFrame nextFrameOtherThanPong() throws Exception {
    ServerFrame frame = nextFrame();
    while (frame != null && frame.opcode() == 0xA && frame.payload().length == 0) {
      frame = nextFrame();
    }
    return frame;
  }

  /** The opcode of the next server frame (its payload is skipped): 0x1 text, 0x2 binary, 0x8 close, 0x9 ping, 0xA pong. */
  int nextOpcode() throws Exception {
    ServerFrame frame = nextFrame();
    return frame == null ? -1 : frame.opcode();
  }

  @Override
  public void close() throws Exception {
    socket.close();
  }
}
