package io.tollgate.broker.http.websocket;

import java.time.Duration;
import org.apache.pekko.NotUsed;
import io.tollgate.broker.subscription.WireMessage;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The server's side of one WebSocket connection (RFC 6455) over the bytes of the upgraded HTTP
 * connection, in one stage: client frames are read ({@link FrameDecoder}) and joined into
 * messages ({@link MessageAssembler}) for the handler, the handler's messages are written as
 * whole frames, pings are answered, and the close handshake is run. It replaces Pekko HTTP's
 * WebSocket stack, which gives every connection a timer every 3 s for its close handshake and
 * one for its keep-alive: an idle connection here has no timer, keep-alives come from the
 * node's sweep ({@link KeepAlives}), and the one timer, the close handshake's, runs only while a
 * connection closes.
 *
 * <p>What the peer sends is bounded: at most one frame and one message of
 * {@link Settings#maxMessageBytes} are held. A message above it is dropped as it comes and
 * {@code messageTooLarge} is told, so the handler can say why it ends; its end then closes the
 * connection with 1009. A frame that breaks the protocol closes it with 1002 (1007 for text that
 * is not UTF-8) at once, without waiting for the peer's close.
 */
public final class WebSocketConnection extends GraphStage<BidiShape<ByteString, WireMessage, WireMessage, ByteString>> {
  /**
   * {@code keepAliveOpcode}: {@link Frame#PONG} (unsolicited, unanswered) or {@link Frame#PING};
   * {@code closeTimeout}: how long a closing connection waits for the peer's close frame, and for
   * its own to be taken, before the socket is closed.
   */
  public record Settings(int maxMessageBytes, int keepAliveOpcode, Duration closeTimeout, KeepAlives keepAlives) {}

  private static final String CLOSE_TIMER = "close";

  private final Inlet<ByteString> fromPeer = Inlet.create("WebSocketConnection.fromPeer");
  private final Outlet<WireMessage> toHandler = Outlet.create("WebSocketConnection.toHandler");
  private final Inlet<WireMessage> fromHandler = Inlet.create("WebSocketConnection.fromHandler");
  private final Outlet<ByteString> toPeer = Outlet.create("WebSocketConnection.toPeer");
  private final BidiShape<ByteString, WireMessage, WireMessage, ByteString> shape =
      BidiShape.of(fromPeer, toHandler, fromHandler, toPeer);
  private final Settings settings;
  private final Runnable messageTooLarge;

  private WebSocketConnection(Settings settings, Runnable messageTooLarge) {
    this.settings = settings;
    this.messageTooLarge = messageTooLarge;
  }

  /** The upgraded connection's bytes, carrying {@code handler}'s messages. */
  public static Flow<ByteString, ByteString, NotUsed> serving(Flow<WireMessage, WireMessage, NotUsed> handler, Settings settings,
                                                              Runnable messageTooLarge) {
    return BidiFlow.fromGraph(new WebSocketConnection(settings, messageTooLarge)).join(handler);
  }

  @Override
  public BidiShape<ByteString, WireMessage, WireMessage, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {
    private final FrameDecoder decoder = new FrameDecoder(settings.maxMessageBytes());
    private final MessageAssembler assembler = new MessageAssembler(settings.maxMessageBytes());
    private final ByteString keepAliveFrame = FrameEncoder.frame(settings.keepAliveOpcode(), ByteString.emptyByteString());
    private KeepAlives.Registration keepAlive;
    /** A message read whole that the handler has not pulled yet. */
    private WireMessage forHandler;
    /** The answer to the latest ping, or a keep-alive: control frames go before the handler's. */
    private ByteString control;
    /** The handler's message, written, that the peer's connection has not taken yet. */
    private ByteString fromHandlerWritten;
    /** The close frame to send; set once. */
    private ByteString close;
    /** Whether the close frame goes before what the handler still has: the peer closed, or broke the protocol. */
    private boolean closeFirst;
    private boolean closeSent;
    private boolean peerClosed;
    /** The connection failed: it ends once its close frame is sent, without waiting for the peer's. */
    private boolean failed;
    private boolean tooLarge;

    Logic() {
      super(shape);
      setHandler(fromPeer, new AbstractInHandler() {
        @Override
        public void onPush() {
          decoder.feed(grab(fromPeer));
          readFrames();
        }

        @Override
        public void onUpstreamFinish() {
          readFrames();
        }
      });
      setHandler(toHandler, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (forHandler != null) {
            push(toHandler, forHandler);
            forHandler = null;
            readFrames();
          }
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          forHandler = null;
          readFrames();
        }
      });
      setHandler(fromHandler, new AbstractInHandler() {
        @Override
        public void onPush() {
          WireMessage message = grab(fromHandler);
          fromHandlerWritten = FrameEncoder.frame(message.isText() ? Frame.TEXT : Frame.BINARY, message.payload());
          write();
        }

        @Override
        public void onUpstreamFinish() {
          closeWith(tooLarge ? CloseCode.MESSAGE_TOO_BIG : CloseCode.NORMAL, "", false);
        }

        @Override
        public void onUpstreamFailure(Throwable failure) {
          if (isAvailable(toPeer) && fromHandlerWritten == null && control == null) {
            push(toPeer, FrameEncoder.close(CloseCode.INTERNAL_ERROR, "the stream failed"));
            completeStage();
          } else {
            failStage(failure);
          }
        }
      });
      setHandler(toPeer, new AbstractOutHandler() {
        @Override
        public void onPull() {
          write();
        }
      });
    }

    @Override
    public void preStart() {
      AsyncCallback<NotUsed> sendKeepAlive = createAsyncCallback(ignored -> {
        if (control == null && close == null) {
          control = keepAliveFrame;
          write();
        }
      });
      keepAlive = settings.keepAlives().register(() -> sendKeepAlive.invoke(NotUsed.getInstance()), System.nanoTime());
      pull(fromPeer);
      pull(fromHandler);
    }

    @Override
    public void postStop() {
      settings.keepAlives().unregister(keepAlive);
    }

    @Override
    public void onTimer(Object key) {
      completeStage();
    }

    /**
     * Reads the frames the bytes hold while the handler can take what they make; asks for bytes
     * when none is whole. A peer that closed its socket without a close frame still has the
     * messages it sent before read; then the connection ends.
     */
    private void readFrames() {
      try {
        while (forHandler == null && !peerClosed && !failed) {
          FrameDecoder.Decoded decoded = decoder.next();
          if (decoded == null) {
            if (isClosed(fromPeer)) {
              completeStage();
            } else if (!hasBeenPulled(fromPeer)) {
              pull(fromPeer);
            }
            return;
          }
          if (decoded instanceof Frame frame && frame.isControl()) {
            onControl(frame);
          } else {
            onData(assembler.add(decoded));
          }
        }
      } catch (Violation violation) {
        failed = true;
        closeWith(violation.closeCode(), violation.getMessage(), true);
      }
    }

    private void onControl(Frame frame) throws Violation {
      switch (frame.opcode()) {
        case Frame.PING -> {
          if (close == null) {
            control = FrameEncoder.frame(Frame.PONG, frame.payload());
            write();
          }
        }
        case Frame.CLOSE -> {
          int code = ClosePayload.codeOf(frame.payload());
          peerClosed = true;
          if (closeSent) {
            completeStage();
          } else {
            closeWith(code == ClosePayload.NO_CODE ? CloseCode.NORMAL : code, "", true);
          }
        }
        default -> { }
      }
    }

    private void onData(MessageAssembler.Assembled assembled) {
      if (assembled instanceof MessageAssembler.Whole whole) {
        if (isClosed(toHandler) || close != null) {
          return;
        }
        if (isAvailable(toHandler)) {
          push(toHandler, whole.message());
        } else {
          forHandler = whole.message();
        }
      } else if (assembled instanceof MessageAssembler.TooLarge && !tooLarge) {
        tooLarge = true;
        messageTooLarge.run();
      }
    }

    /**
     * Sends a close frame, once: {@code first}, before anything the handler still has (the peer
     * closed, or broke the protocol); otherwise after it. The handler hears no more, and the socket
     * is closed after {@code closeTimeout} should the handshake not end before.
     */
    private void closeWith(int code, String reason, boolean first) {
      if (close != null) {
        return;
      }
      close = FrameEncoder.close(code, reason);
      closeFirst = first;
      forHandler = null;
      if (!isClosed(toHandler)) {
        complete(toHandler);
      }
      if (first && !isClosed(fromHandler)) {
        cancel(fromHandler);
      }
      scheduleOnce(CLOSE_TIMER, settings.closeTimeout());
      write();
    }

    /** Writes the next frame the peer's connection can take: control frames first, then the close frame when it goes first. */
    private void write() {
      if (!isAvailable(toPeer)) {
        return;
      }
      if (control != null) {
        sent(control);
        control = null;
      } else if (close != null && !closeSent && (closeFirst || (fromHandlerWritten == null && isClosed(fromHandler)))) {
        sent(close);
        closeSent = true;
        if (peerClosed || failed) {
          completeStage();
        }
      } else if (fromHandlerWritten != null && !closeSent) {
        sent(fromHandlerWritten);
        fromHandlerWritten = null;
        if (!isClosed(fromHandler)) {
          pull(fromHandler);
        }
      }
    }

    private void sent(ByteString frame) {
      push(toPeer, frame);
      keepAlive.sent(System.nanoTime());
    }
  }
}
