package io.tollgate.broker.http.websocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.impl.engine.server.UpgradeToOtherProtocolResponseHeader;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * The server's answer to a WebSocket upgrade request that Pekko HTTP has checked
 * ({@code extractWebSocketUpgrade}: the method, the version, a valid key): 101 with the accept
 * key (RFC 6455, section 4.2.2) and the chosen subprotocol, the connection's bytes handed to
 * {@code connection}. Pekko HTTP switches a connection to another protocol when its response
 * carries {@code UpgradeToOtherProtocolResponseHeader}, the one internal class Tollgate uses:
 * it is how Pekko's own WebSocket and HTTP/2 upgrades are made, and it has kept its shape since
 * Akka HTTP 10.0.
 */
public final class Handshake {
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private Handshake() {}

  public static HttpResponse accepted(String key, Optional<String> subprotocol,
                                      Flow<ByteString, ByteString, NotUsed> connection) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(HttpHeader.parse("Upgrade", "websocket"));
    headers.add(HttpHeader.parse("Connection", "Upgrade"));
    headers.add(HttpHeader.parse("Sec-WebSocket-Accept", acceptKey(key)));
    subprotocol.ifPresent(protocol -> headers.add(HttpHeader.parse("Sec-WebSocket-Protocol", protocol)));
    headers.add(new UpgradeToOtherProtocolResponseHeader(
        connection.<Object>mapMaterializedValue(notUsed -> notUsed).asScala()));
    return HttpResponse.create().withStatus(StatusCodes.SWITCHING_PROTOCOLS).addHeaders(headers);
  }

  /** The {@code Sec-WebSocket-Accept} that proves the server read {@code key}. */
  static String acceptKey(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
