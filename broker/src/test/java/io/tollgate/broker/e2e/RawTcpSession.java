package io.tollgate.broker.e2e;

import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.DataInputStream;
import java.net.Socket;

/** A raw TCP publish connection, as tests need one: the authenticate frame, then one frame at a time. */
record RawTcpSession(Socket socket, String source, ServerFrame welcome) implements AutoCloseable {
  static RawTcpSession open(int port, String keyOrToken, String source) throws Exception {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
        .setAuthenticate(Authenticate.newBuilder().setApiKey(keyOrToken)).build());
    return new RawTcpSession(socket, source, read(socket));
  }

  /** Publishes one event with this id and waits for the broker's answer. */
  ServerFrame publish(String topic, String id) throws Exception {
    Frames.write(socket.getOutputStream(), ClientFrame.newBuilder().setPublish(Publish.newBuilder()
        .setCorrelationId(1).setTopic(topic).addEvents(Events.event(source, id, null, "{}"))).build());
    return read(socket);
  }

  /** The next frame the broker sends unasked. */
  ServerFrame next() throws Exception {
    return read(socket);
  }

  private static ServerFrame read(Socket socket) throws Exception {
    return ServerFrame.parseFrom(Frames.read(new DataInputStream(socket.getInputStream()), 1 << 20));
  }

  @Override
  public void close() throws Exception {
    socket.close();
  }
}
