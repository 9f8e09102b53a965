package io.tollgate.broker.tcp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tollgate.broker.error.Refusal;
import io.tollgate.broker.auth.AuthThrottle;
import io.tollgate.broker.auth.Authentication;
import io.tollgate.broker.auth.Authenticator;
import io.tollgate.broker.auth.Principal;
import io.tollgate.broker.ops.Metrics;
import io.tollgate.broker.session.Credential;
import io.tollgate.broker.session.Ending;
import io.tollgate.broker.session.OpenSession;
import io.tollgate.broker.session.OpenSessions;
import io.tollgate.broker.tls.ServerTls;
import io.tollgate.broker.topic.Publisher;
import io.tollgate.protocols.CloudEventFormatException;
import io.tollgate.protocols.CloudEventJson;
import io.tollgate.protocols.Frames;
import io.tollgate.protocols.v1.Authenticated;
import io.tollgate.protocols.v1.ClientFrame;
import io.tollgate.protocols.v1.Error;
import io.tollgate.protocols.v1.Position;
import io.tollgate.protocols.v1.Publish;
import io.tollgate.protocols.v1.PublishAck;
import io.tollgate.protocols.v1.ServerFrame;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.IgnoreCancel$;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP publish edge: length-prefixed Protobuf frames (tcp.proto). The first frame
 * authenticates; then publishes are handled concurrently and each is answered by an ack or an
 * error with its correlation id. A frame that cannot be read gets a fatal error frame and the
 * connection closes; other connections are not affected.
 */
public final class TcpPublishServer {
  private static final Logger LOG = LoggerFactory.getLogger(TcpPublishServer.class);

  /**
   * {@code idleTimeout}: an authenticated connection that sends no frame this long is closed
   * ({@code idle_timeout}); {@code frameTimeout}: a frame begun and not complete this long closes
   * its connection ({@code frame_stalled}). Both are checked with the sessions' other rules
   * ({@link OpenSessions#endWhereDue}).
   */
  public record Settings(String host, int port, int maxFrameBytes, int maxInFlightPerConnection, int maxConnections,
                         java.time.Duration authTimeout, java.time.Duration idleTimeout, java.time.Duration frameTimeout) {}

  private final ActorSystem<?> system;
  private final Authenticator authenticator;
  private final AuthThrottle throttle;
  private final Publisher publisher;
  private final Metrics metrics;
  private final Settings settings;
  private final OpenSessions sessions;
  private final Optional<ServerTls> tls;
  private final Clock clock;
  /** How long after its auth_timeout frame an unauthenticated connection is aborted. */
  private static final java.time.Duration AUTH_TIMEOUT_GRACE = java.time.Duration.ofSeconds(1);

  private final SharedKillSwitch connections = KillSwitches.shared("tcp-connections");
  private final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();

  public TcpPublishServer(ActorSystem<?> system, Authenticator authenticator, AuthThrottle throttle, Publisher publisher,
                          Metrics metrics, Settings settings, OpenSessions sessions, Optional<ServerTls> tls,
                          Clock clock) {
    this.system = system;
    this.clock = clock;
    this.sessions = sessions;
    this.tls = tls;
    this.authenticator = authenticator;
    this.throttle = throttle;
    this.publisher = publisher;
    this.metrics = metrics;
    this.settings = settings;
  }

  public CompletionStage<Tcp.ServerBinding> bind() {
    return connections()
        .to(Sink.foreach(connection -> {
          AtomicBoolean authenticated = new AtomicBoolean();
          if (openConnections.incrementAndGet() > settings.maxConnections()) {
            openConnections.decrementAndGet();
            handle(connection, refusal(fatal("too_many_connections", "the broker has its maximum of "
                + settings.maxConnections() + " TCP connections open; retry later")), authenticated);
            return;
          }
          String source = connection.remoteAddress().getAddress().getHostAddress();
          String id = UUID.randomUUID().toString();
          try {
            sessions.admit(id, source);
          } catch (Refusal refused) {
            openConnections.decrementAndGet();
            handle(connection, refusal(fatal(refused.code(), refused.getMessage())), authenticated);
            return;
          }
          metrics.openTcpConnections.inc();
          InputWatch watch = new InputWatch(settings.idleTimeout(), settings.frameTimeout(), clock.instant());
          handle(connection, connectionFlow(id, source, authenticated, watch).watchTermination((notUsed, done) -> {
            done.whenComplete((ok, failure) -> {
              sessions.unregister(id);
              openConnections.decrementAndGet();
              metrics.openTcpConnections.dec();
            });
            return notUsed;
          }), authenticated);
        }))
        .run(system);
  }

  /**
   * Serves a connection with {@code flow}, and aborts it if it has not authenticated within
   * {@code auth-timeout} and a grace period for the {@code auth_timeout} frame to go out. The
   * frame is how a client learns why; the abort is for the connection that frame cannot end:
   * one that never completes its TLS handshake, on which nothing can be sent.
   */
  private void handle(Tcp.IncomingConnection connection, Flow<ByteString, ByteString, NotUsed> flow,
                      AtomicBoolean authenticated) {
    UniqueKillSwitch abort = connection.handleWith(secured(flow).viaMat(KillSwitches.single(), Keep.right()), system);
    system.scheduler().scheduleOnce(settings.authTimeout().plus(AUTH_TIMEOUT_GRACE), () -> {
      if (!authenticated.get()) {
        abort.abort(new TimeoutException("not authenticated within " + settings.authTimeout().toMillis() + " ms"));
      }
    }, system.executionContext());
  }

  /** Half-close: a connection that stops reading (after a fatal error) still sends its last frames. */
  private Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> connections() {
    return Tcp.get(system).bind(settings.host(), settings.port(), 100, List.of(), true, Optional.empty());
  }

  /**
   * The connection's bytes as they are on the wire: plaintext, or TLS around {@code plaintext}
   * when the node has a certificate (what {@code Tcp.bindWithTls} does, done here so that
   * {@link #handle} can abort the socket itself, which a failure on the plaintext side does not
   * reach while the handshake is unfinished). TLS ignores the cancelled input, so the last frames
   * go out before the session closes, as with half-close.
   */
  private Flow<ByteString, ByteString, NotUsed> secured(Flow<ByteString, ByteString, NotUsed> plaintext) {
    if (tls.isEmpty()) {
      return plaintext;
    }
    BidiFlow<ByteString, TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, ByteString, NotUsed> bytes =
        BidiFlow.fromFlows(
            Flow.<ByteString>create().map(TLSProtocol.SendBytes::new),
            Flow.<TLSProtocol.SslTlsInbound>create()
                .filter(TLSProtocol.SessionBytes.class::isInstance)
                .map(inbound -> ((TLSProtocol.SessionBytes) inbound).bytes()));
    return bytes.atop(TLS.create(tls.get()::newEngine, IgnoreCancel$.MODULE$)).reversed().join(plaintext);
  }

  /** Answers one fatal frame and ignores whatever the client sends. */
  private static Flow<ByteString, ByteString, NotUsed> refusal(ServerFrame frame) {
    return Flow.fromSinkAndSource(Sink.ignore(), Source.single(ByteString.fromArrayUnsafe(Frames.encode(frame))));
  }

  /** Stops reading from every connection; publishes already read still get their acks. */
  public void drainConnections() {
    connections.shutdown();
  }

  /** {@code watch} learns of every read; timing is its own and {@link OpenSessions}', the decoder stays pure. */
  Flow<ByteString, ByteString, NotUsed> connectionFlow(String id, String source, AtomicBoolean authenticated,
                                                       InputWatch watch) {
    return Flow.<ByteString>create()
        .via(connections.flow())
        .statefulMap(() -> new FrameDecoder(settings.maxFrameBytes()), (decoder, bytes) -> {
              List<FrameDecoder.Decoded> decoded = decoder.feed(bytes);
              watch.read(decoded.size(), decoder.partial(), clock.instant());
              return Pair.create(decoder, decoded);
            },
            decoder -> Optional.of(decoder.finish()))
        .mapConcat(decoded -> decoded)
        .map(TcpPublishServer::parse)
        .takeWhile(frame -> !(frame instanceof RefusedFrame), true)
        .via(authDeadline())
        .prefixAndTail(1)
        .flatMapConcat(firstAndRest -> session(firstAndRest, id, source, authenticated, watch))
        .takeWhile(frame -> !(frame.hasError() && frame.getError().getFatal()), true)
        .map(frame -> ByteString.fromArrayUnsafe(Frames.encode(frame)));
  }

  /** Marks in a connection's stream of frames: its input ended; the time to authenticate ran out. */
  private enum Mark { INPUT_ENDED, AUTH_TIMED_OUT }

  /**
   * Adds {@link Mark#AUTH_TIMED_OUT} once {@code auth-timeout} has passed since the connection
   * opened; only as the first element does it mean anything. It is merged in rather than failing
   * the stream ({@code initialTimeout}), since a failure would reset the socket before the error
   * frame is written.
   */
  private Flow<Object, Object, NotUsed> authDeadline() {
    return Flow.create()
        .concat(Source.single(Mark.INPUT_ENDED))
        .merge(Source.<Object>single(Mark.AUTH_TIMED_OUT).initialDelay(settings.authTimeout()))
        .takeWhile(frame -> frame != Mark.INPUT_ENDED);
  }

  private Source<ServerFrame, NotUsed> session(Pair<List<Object>, Source<Object, NotUsed>> firstAndRest, String sessionId,
                                               String source, AtomicBoolean authenticated, InputWatch watch) {
    if (firstAndRest.first().isEmpty()) {
      return Source.empty();
    }
    Object first = firstAndRest.first().get(0);
    if (first instanceof RefusedFrame refusal) {
      return Source.single(refusal.frame());
    }
    if (first == Mark.AUTH_TIMED_OUT) {
      return Source.single(fatal("auth_timeout", "no authenticate frame within "
          + settings.authTimeout().toMillis() + " ms of connecting"));
    }
    ClientFrame opening = (ClientFrame) first;
    if (!opening.hasAuthenticate()) {
      return Source.single(fatal("unauthenticated", "the first frame must be authenticate"));
    }
    Optional<java.time.Duration> wait = throttle.blocked(source);
    if (wait.isPresent()) {
      return Source.single(fatal("too_many_auth_failures", "too many failed authentications from " + source
          + "; retry in " + wait.get().toSeconds() + " s"));
    }
    Authentication authentication = authenticator.authenticate(opening.getAuthenticate().getApiKey());
    if (authentication instanceof Authentication.Unavailable unavailable) {
      return Source.single(fatal(unavailable.code(), unavailable.message()));
    }
    if (authentication instanceof Authentication.Refused refused) {
      throttle.failed(source);
      return Source.single(fatal(refused.code(), refused.message()));
    }
    authenticated.set(true);
    Principal principal = ((Authentication.Accepted) authentication).principal();
    Credential credential = Credential.of(principal);
    ServerFrame welcome = ServerFrame.newBuilder()
        .setAuthenticated(Authenticated.newBuilder().setAccountId(principal.actor())).build();
    CompletableFuture<ServerFrame> ended = new CompletableFuture<>();
    try {
      sessions.register(sessionId, OpenSession.Kind.TCP,
          principal instanceof Principal.OfAccount caller ? caller.accountId() : "", credential, "", source,
          ending -> ended.complete(fatal(ending.code(), ending.message())), watch);
    } catch (Refusal refused) {
      return Source.single(fatal(refused.code(), refused.getMessage()));
    }
    Source<ServerFrame, NotUsed> publishes = Source.single(welcome).concat(firstAndRest.second()
        .filter(frame -> frame != Mark.AUTH_TIMED_OUT)
        .mapAsyncUnordered(settings.maxInFlightPerConnection(), frame -> frame instanceof RefusedFrame refusal
            ? CompletableFuture.completedFuture(refusal.frame())
            : handle(principal, credential, (ClientFrame) frame)));
    // The connection ends when its input does, or with a fatal frame when OpenSessions ends it;
    // its end unregisters the session (bind).
    return publishes.merge(Source.completionStage(ended), true);
  }

  private CompletionStage<ServerFrame> handle(Principal principal, Credential credential, ClientFrame frame) {
    if (!frame.hasPublish()) {
      return CompletableFuture.completedFuture(error(0, "unexpected_frame",
          "after authenticate a client sends only publish frames"));
    }
    // The rule that ends the connection within a second holds for every publish before that, too.
    Optional<Ending> ending = sessions.due(credential);
    if (ending.isPresent()) {
      return CompletableFuture.completedFuture(fatal(ending.get().code(), ending.get().message()));
    }
    Publish publish = frame.getPublish();
    long started = System.nanoTime();
    CompletionStage<List<Publisher.Published>> published;
    try {
      publish.getEventsList().forEach(CloudEventJson::requireValid);
      published = publisher.publish(principal, publish.getTopic(), publish.getEventsList());
    } catch (RuntimeException e) {
      published = CompletableFuture.failedFuture(e);
    }
    return published.handle((positions, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String code = cause instanceof Refusal refusal ? refusal.code()
            : cause instanceof CloudEventFormatException format ? format.code() : "internal_error";
        if (code.equals("internal_error")) {
          LOG.error("publish over TCP failed unexpectedly", cause);
        }
        metrics.publishErrors.labelValues("tcp", code).inc();
        return error(publish.getCorrelationId(), code, cause.getMessage());
      }
      metrics.publishedEvents.labelValues("tcp").inc(positions.size());
      metrics.publishedTo(publish.getTopic(), positions.size());
      metrics.publishSeconds.labelValues("tcp").observe((System.nanoTime() - started) / 1e9);
      PublishAck.Builder ack = PublishAck.newBuilder().setCorrelationId(publish.getCorrelationId());
      for (Publisher.Published event : positions) {
        ack.addPositions(Position.newBuilder()
            .setPartition(event.partition())
            .setOffset(event.position().offset())
            .setCursor(event.cursor())
            .setDuplicate(event.position().duplicate()));
      }
      return ServerFrame.newBuilder().setAck(ack).build();
    });
  }

  /** A client frame, or why the bytes are not one. */
  private static Object parse(FrameDecoder.Decoded decoded) {
    if (decoded instanceof FrameDecoder.Malformed malformed) {
      return new RefusedFrame(fatal(malformed.code(), malformed.message()));
    }
    try {
      return ClientFrame.parseFrom(((FrameDecoder.Frame) decoded).payload().toArrayUnsafe());
    } catch (InvalidProtocolBufferException e) {
      return new RefusedFrame(fatal("malformed_frame", "the frame is not a ClientFrame: " + e.getMessage()));
    }
  }

  /** A fatal answer to the connection's input; the connection closes after sending it. */
  private record RefusedFrame(ServerFrame frame) {}

  private static ServerFrame error(long correlationId, String code, String message) {
    return ServerFrame.newBuilder().setError(Error.newBuilder()
        .setCorrelationId(correlationId).setCode(code).setMessage(message == null ? code : message)).build();
  }

  private static ServerFrame fatal(String code, String message) {
    return ServerFrame.newBuilder().setError(Error.newBuilder()
        .setCode(code).setMessage(message).setFatal(true)).build();
  }
}
