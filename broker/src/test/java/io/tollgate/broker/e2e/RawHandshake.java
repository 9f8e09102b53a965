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
record RawHandshake(Socket socket, int status, String body) implements AutoCloseable {
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
    return new RawHandshake(socket, response.status(), response.body());
  }

  String errorCode() throws Exception {
    return new RawResponse(status, "", body).errorCode();
  }

  /** The opcode of the next server frame (its payload is skipped): 0x1 text, 0x2 binary, 0x8 close, 0x9 ping, 0xA pong. */
  int nextOpcode() throws Exception {
    InputStream in = socket.getInputStream();
    int first = in.read();
    if (first < 0) {
      return -1;
    }
    int length = in.read() & 0x7f;
    long size = length == 126 ? (in.read() << 8 | in.read()) : length == 127 ? -1 : length;
    if (size < 0) {
      throw new AssertionError("a frame over 64 KiB");
    }
    in.readNBytes((int) size);
    return first & 0x0f;
  }

  @Override
  public void close() throws Exception {
    socket.close();
  }
}
