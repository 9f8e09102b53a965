package io.tollgate.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticate;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.PublishAck;
import io.tollgate.protocols.v1.ServerFrame;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes over the TCP frame protocol (port 7070). Publishes are pipelined: {@link #publish}
 * writes the frame and returns at once, and one reader thread completes each future when its
 * ack or error arrives, in whatever order the broker answers. At most {@code maxInFlight}
 * publishes are unanswered at a time; {@link #publish} blocks while that many are, which is
 * how a fast producer is slowed to the broker's pace. Thread-safe; publishes from one thread
 * go on the wire in call order.
 */
public final class TcpPublisher implements Publisher {
  public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String accountId;
  private final int maxInFlight;
  private final Semaphore inFlight;
  private final ConcurrentHashMap<Long, CompletableFuture<PublishResult>> pending = new ConcurrentHashMap<>();
  private final AtomicLong correlationIds = new AtomicLong();
  /** Set once, when the connection is over; every publish after that fails with it. */
  private final AtomicReference<TollgateException> failure = new AtomicReference<>();
  private final Thread reader;
  private volatile boolean closing;

  private TcpPublisher(Socket socket, DataInputStream in, String accountId, int maxInFlight) throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.accountId = accountId;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.reader = new Thread(this::readReplies, "tollgate-tcp-reader-" + socket.getLocalPort());
    this.reader.setDaemon(true);
    this.reader.start();
  }

  public static TcpPublisher connect(String host, int port, String apiKey) {
    return connect(host, port, apiKey, DEFAULT_MAX_IN_FLIGHT);
  }

  /**
   * Connects and authenticates; throws the broker's error (for example a wrong key) when
   * authentication fails.
   */
  public static TcpPublisher connect(String host, int port, String apiKey, int maxInFlight) {
    return connect(host, port, apiKey, maxInFlight, null);
  }

  /**
   * Connects over TLS ({@code tls} not null) to a broker started with a certificate: the
   * broker's certificate must be trusted by {@code tls} and name {@code host}.
   */
  public static TcpPublisher connect(String host, int port, String apiKey, int maxInFlight, ClientTls tls) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
    }
    Socket socket = new Socket();
    boolean overTls = false;
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), (int) HANDSHAKE_TIMEOUT.toMillis());
      socket.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
      if (tls != null) {
        socket = handshake(socket, host, port, tls);
        overTls = true;
      }
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
      Frames.write(socket.getOutputStream(), ClientFrame.newBuilder()
          .setAuthenticate(Authenticate.newBuilder().setApiKey(apiKey))
          .build());
      ServerFrame reply = ServerFrame.parseFrom(Frames.read(in, Frames.DEFAULT_MAX_FRAME_BYTES));
      switch (reply.getFrameCase()) {
        case AUTHENTICATED -> {
          socket.setSoTimeout(0);
          return new TcpPublisher(socket, in, reply.getAuthenticated().getAccountId(), maxInFlight);
        }
        case ERROR -> throw new TollgateException(reply.getError().getCode(), reply.getError().getMessage());
        default -> throw new TollgateException(TollgateException.PROTOCOL_ERROR,
            "expected authenticated or error, the broker sent " + reply.getFrameCase());
      }
    } catch (SocketTimeoutException e) {
      closeQuietly(socket);
      throw new TollgateException(TollgateException.CONNECTION_FAILED,
          "no reply to authenticate from " + host + ":" + port + " within " + HANDSHAKE_TIMEOUT.toSeconds() + "s", e);
    } catch (IOException e) {
      closeQuietly(socket);
      if (overTls) {
        // Under TLS 1.3 the broker checks the client's certificate after the client's side of the
        // handshake is done: a refusal shows on the first read, as an alert or, when the close
        // overtakes the alert, as a reset. The broker answers everything else with a frame.
        throw new TollgateException(TollgateException.TLS_FAILED, "the broker at " + host + ":" + port
            + " ended the TLS connection before answering (does it require a client certificate?): "
            + HttpSupport.describe(e), e);
      }
      throw HttpSupport.connectionError("connecting to " + host + ":" + port, e);
    } catch (RuntimeException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  private static SSLSocket handshake(Socket plain, String host, int port, ClientTls tls) throws IOException {
    SSLSocket socket = (SSLSocket) tls.sslContext().getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  /** False once the connection has ended, by {@link #close} or by the broker or the network. */
  public boolean isOpen() {
    return !closing && failure.get() == null;
  }

  /** The account the key belongs to, as the broker reported it. */
  public String accountId() {
    return accountId;
  }

  @Override
  public CompletableFuture<PublishResult> publish(String topic, List<CloudEvent> events) {
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      return CompletableFuture.failedFuture(TollgateException.interrupted(e));
    }
    if (closing) {
      inFlight.release();
      return CompletableFuture.failedFuture(closedError());
    }
    long correlationId = correlationIds.incrementAndGet();
    CompletableFuture<PublishResult> reply = new CompletableFuture<>();
    pending.put(correlationId, reply);
    // fail() may have drained `pending` just before the put; then nobody else completes this one.
    TollgateException ended = failure.get();
    if (ended != null) {
      complete(correlationId, null, ended);
      return reply;
    }
    byte[] frame = Frames.encode(ClientFrame.newBuilder()
        .setPublish(io.tollgate.protocols.v1.Publish.newBuilder()
            .setCorrelationId(correlationId)
            .setTopic(topic)
            .addAllEvents(events))
        .build());
    try {
      synchronized (out) {
        out.write(frame);
        out.flush();
      }
    } catch (IOException e) {
      fail(new TollgateException(TollgateException.CONNECTION_CLOSED, "writing to the broker failed: " + e.getMessage(), e));
    }
    return reply;
  }

  /**
   * Waits up to 10 s for the publishes in flight to be answered, then closes the connection;
   * those still unanswered fail with {@code connection_closed}.
   */
  @Override
  public void close() {
    closing = true;
    try {
      if (inFlight.tryAcquire(maxInFlight, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        inFlight.release(maxInFlight);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    fail(closedError());
    try {
      reader.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readReplies() {
    try {
      while (true) {
        ServerFrame frame = ServerFrame.parseFrom(Frames.read(in, Frames.DEFAULT_MAX_FRAME_BYTES));
        switch (frame.getFrameCase()) {
          case ACK -> onAck(frame.getAck());
          case ERROR -> onError(frame.getError());
          default -> throw new TollgateException(TollgateException.PROTOCOL_ERROR,
              "unexpected " + frame.getFrameCase() + " frame after authentication");
        }
      }
    } catch (TollgateException e) {
      fail(e);
    } catch (InvalidProtocolBufferException e) {
      fail(new TollgateException(TollgateException.PROTOCOL_ERROR, "the broker sent a frame that does not parse: " + e.getMessage(), e));
    } catch (EOFException e) {
      fail(new TollgateException(TollgateException.CONNECTION_CLOSED, "the broker closed the connection", e));
    } catch (IOException e) {
      fail(new TollgateException(TollgateException.CONNECTION_CLOSED, "the connection to the broker failed: " + e.getMessage(), e));
    }
  }

  private void onAck(PublishAck ack) {
    List<Position> positions = new ArrayList<>(ack.getPositionsCount());
    for (io.tollgate.protocols.v1.Position position : ack.getPositionsList()) {
      positions.add(new Position(position.getPartition(), position.getOffset(), position.getCursor(), position.getDuplicate()));
    }
    if (!complete(ack.getCorrelationId(), new PublishResult(positions.size(), positions), null)) {
      throw new TollgateException(TollgateException.PROTOCOL_ERROR,
          "ack for correlation id " + ack.getCorrelationId() + ", which is not in flight");
    }
  }

  private void onError(io.tollgate.protocols.v1.Error error) {
    TollgateException exception = new TollgateException(error.getCode(), error.getMessage());
    boolean matched = error.getCorrelationId() != 0 && complete(error.getCorrelationId(), null, exception);
    // An error that names no publish of ours cannot be matched to a future; the only way
    // to not leave one hanging forever is to end the connection.
    if (error.getFatal() || !matched) {
      throw exception;
    }
  }

  /** Completes one pending publish; false when it was not pending. */
  private boolean complete(long correlationId, PublishResult result, TollgateException error) {
    CompletableFuture<PublishResult> reply = pending.remove(correlationId);
    if (reply == null) {
      return false;
    }
    inFlight.release();
    if (error == null) {
      reply.complete(result);
    } else {
      reply.completeExceptionally(error);
    }
    return true;
  }

  private void fail(TollgateException cause) {
    if (!failure.compareAndSet(null, cause)) {
      return;
    }
    closeQuietly(socket);
    for (Long correlationId : pending.keySet()) {
      complete(correlationId, null, cause);
    }
  }

  private TollgateException closedError() {
    TollgateException ended = failure.get();
    return ended != null ? ended : new TollgateException(TollgateException.CONNECTION_CLOSED, "the publisher is closed");
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is the cleanup after a failure that is already being reported.
    }
  }
}
