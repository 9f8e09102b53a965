package io.tollgate.client;

import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticated;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Position;
import io.tollgate.protocols.v1.PublishAck;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A broker stand-in speaking the TCP frame protocol on a loopback port, for one connection.
 * Every frame it reads goes to a queue the test inspects; the responder may answer a frame
 * at once (return a reply) or leave it to the test ({@code null}, then {@link #send}). Public, in
 * the test jar, for the cli module's tests too.
 */
public final class FakeFrameServer implements AutoCloseable {
  private final ServerSocket server;
  private final Function<ClientFrame, ServerFrame> responder;
  private final BlockingQueue<ClientFrame> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Socket> connection = new CompletableFuture<>();
  private final Thread thread;

  private FakeFrameServer(Function<ClientFrame, ServerFrame> responder) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.responder = responder;
    this.thread = new Thread(this::serve, "fake-frame-server");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Accepts any key as account {@code acc_test}; publishes are left for the test to answer. */
  public static FakeFrameServer authenticating() throws IOException {
    return new FakeFrameServer(frame -> frame.hasAuthenticate() ? authenticated() : null);
  }

  /** Also acks every publish at once, placing its events round robin over two partitions. */
  public static FakeFrameServer acking() throws IOException {
    long[] offsets = new long[2];
    return new FakeFrameServer(frame -> {
      if (frame.hasAuthenticate()) {
        return authenticated();
      }
      PublishAck.Builder ack = PublishAck.newBuilder().setCorrelationId(frame.getPublish().getCorrelationId());
      for (int i = 0; i < frame.getPublish().getEventsCount(); i++) {
        int partition = i % 2;
        long offset = offsets[partition]++;
        ack.addPositions(position(frame.getPublish().getTopic(), partition, offset));
      }
      return ServerFrame.newBuilder().setAck(ack).build();
    });
  }

  public static FakeFrameServer withResponder(Function<ClientFrame, ServerFrame> responder) throws IOException {
    return new FakeFrameServer(responder);
  }

  public static ServerFrame authenticated() {
    return ServerFrame.newBuilder().setAuthenticated(Authenticated.newBuilder().setAccountId("acc_test")).build();
  }

  public static Position position(String topic, int partition, long offset) {
    return Position.newBuilder().setPartition(partition).setOffset(offset)
        .setCursor(topic + ":" + partition + ":" + offset).build();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The next frame the client sent, waiting up to 5 s. */
  public ClientFrame next() throws InterruptedException {
    ClientFrame frame = received.poll(5, TimeUnit.SECONDS);
    if (frame == null) {
      throw new AssertionError("the client sent no frame within 5 s");
    }
    return frame;
  }

  public int receivedCount() {
    return received.size();
  }

  public void send(ServerFrame frame) throws Exception {
    OutputStream out = connection.get(5, TimeUnit.SECONDS).getOutputStream();
    synchronized (out) {
      Frames.write(out, frame);
      out.flush();
    }
  }

  /** Drops the connection the way a crashed broker would. */
  public void disconnect() throws Exception {
    connection.get(5, TimeUnit.SECONDS).close();
  }

  private void serve() {
    try (Socket socket = server.accept()) {
      connection.complete(socket);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      while (true) {
        ClientFrame frame = ClientFrame.parseFrom(Frames.read(in, Frames.DEFAULT_MAX_FRAME_BYTES));
        received.add(frame);
        ServerFrame reply = responder.apply(frame);
        if (reply != null) {
          synchronized (out) {
            Frames.write(out, reply);
            out.flush();
          }
        }
      }
    } catch (IOException e) {
      connection.completeExceptionally(new UncheckedIOException(e));
      // The client went away or the test closed the server: either way the conversation is over.
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    if (connection.isDone() && !connection.isCompletedExceptionally()) {
      connection.get().close();
    }
    thread.join(5000);
  }
}
