package io.tollgate.broker.http;

import io.tollgate.broker.error.Refusal;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * A request's body read whole, at most {@code maxBytes} ({@code pekko.http.server.parsing.max-content-length}).
 *
 * <p>A longer body is refused (413 {@code payload_too_large}) only once the rest of it has been read and
 * dropped, up to {@code drainBytes} more ({@code tollgate.limits.refused-body-drain-bytes}). Pekko HTTP
 * closes a connection whose response goes out before its request has ended, and a client still
 * sending then meets a reset that throws away the refusal it has not read yet: the client sees a
 * broken connection, not the error. Reading on is what nginx's lingering close does for the same
 * reason. The bound keeps what a hostile client can make the node read in proportion; Pekko's
 * {@code request-timeout} bounds how long. Nothing is read for a body declared longer than both
 * together, nor for one whose client waits for {@code 100 Continue} before sending it: that client
 * reads the refusal instead of sending. A body that arrived whole with its head (most small
 * requests) is taken as it is, without a stream.
 */
public record RequestBody(long maxBytes, long drainBytes) {

  public CompletionStage<byte[]> read(HttpRequest request, Materializer materializer) {
    HttpEntity entity = request.entity().withoutSizeLimit();
    if (entity instanceof HttpEntity.Strict strict && strict.getData().size() <= maxBytes) {
      return CompletableFuture.completedFuture(strict.getData().toArrayUnsafe());
    }
    OptionalLong declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > maxBytes
        && (declared.getAsLong() > maxBytes + drainBytes || waitsForContinue(request))) {
      return CompletableFuture.failedFuture(tooLarge());
    }
    Reading reading = new Reading();
    return entity.getDataBytes()
        .takeWhile(reading::take)
        .runWith(Sink.ignore(), materializer)
        .thenApply(done -> reading.body());
  }

  private static boolean waitsForContinue(HttpRequest request) {
    return request.getHeader("Expect")
        .map(expect -> expect.value().toLowerCase(Locale.ROOT).contains("100-continue")).orElse(false);
  }

  private Refusal tooLarge() {
    return new Refusal("payload_too_large", "a request body is at most " + maxBytes + " bytes");
  }

  /** One body as it arrives: kept while it fits, then only counted until the drain bound. */
  private final class Reading {
    private final ByteStringBuilder kept = new ByteStringBuilder();
    private long received;

    boolean take(ByteString chunk) {
      received += chunk.size();
      if (received <= maxBytes) {
        kept.append(chunk);
      } else if (kept.length() > 0) {
        kept.clear();
      }
      return received <= maxBytes + drainBytes;
    }

    byte[] body() {
      if (received > maxBytes) {
        throw tooLarge();
      }
      return kept.result().toArrayUnsafe();
    }
  }
}
