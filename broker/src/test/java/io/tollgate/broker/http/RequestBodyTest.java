package io.tollgate.broker.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tollgate.broker.error.Refusal;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RequestBodyTest {
  private static final ActorTestKit TESTKIT = ActorTestKit.create();
  private static final Materializer MATERIALIZER = Materializer.matFromSystem(TESTKIT.system());
  /** At most 10 bytes kept; a longer body is read on for 20 more. */
  private static final RequestBody BODY = new RequestBody(10, 20);
  private static final ByteString FOUR_BYTES = ByteString.fromString("abcd");

  @AfterAll
  static void stop() {
    TESTKIT.shutdownTestKit();
  }

  /** A body of {@code chunks} times four bytes that counts the chunks read from it. */
  private record Counted(AtomicInteger read, Source<ByteString, ?> bytes) {
    static Counted of(int chunks) {
      AtomicInteger read = new AtomicInteger();
      return new Counted(read, Source.repeat(FOUR_BYTES).take(chunks).map(chunk -> {
        read.incrementAndGet();
        return chunk;
      }));
    }
  }

  private static HttpRequest post(RequestEntity entity) {
    return HttpRequest.POST("/v1/accounts").withEntity(entity);
  }

  private static byte[] read(HttpRequest request) throws Exception {
    return BODY.read(request, MATERIALIZER).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static void assertRefused(HttpRequest request) {
    ExecutionException failure = assertThrows(ExecutionException.class, () -> read(request));
    Refusal refusal = assertInstanceOf(Refusal.class, failure.getCause());
    assertEquals("payload_too_large", refusal.code());
  }

  @Test
  void aBodyWithinTheLimitIsReadWhole() throws Exception {
    Counted body = Counted.of(2);
    assertArrayEquals("abcdabcd".getBytes(), read(post(HttpEntities.create(ContentTypes.APPLICATION_JSON, 8, body.bytes()))));
    assertArrayEquals("exactly 10".getBytes(), read(post(HttpEntities.create(ContentTypes.APPLICATION_JSON, "exactly 10"))));
  }

  @Test
  void aWholeBodyLongerThanTheLimitIsRefused() {
    assertRefused(post(HttpEntities.create(ContentTypes.APPLICATION_JSON, "eleven char")));
  }

  @Test
  void aLongerBodyIsReadToItsEndBeforeItIsRefused() {
    Counted body = Counted.of(7);
    assertRefused(post(HttpEntities.create(ContentTypes.APPLICATION_JSON, 28, body.bytes())));
    assertEquals(7, body.read().get(), "the client got to send all of it");
  }

  @Test
  void aBodyDeclaredLongerThanTheDrainIsRefusedUnread() {
    Counted body = Counted.of(8);
    assertRefused(post(HttpEntities.create(ContentTypes.APPLICATION_JSON, 32, body.bytes())));
    assertEquals(0, body.read().get());
  }

  @Test
  void aLongerBodyWaitingForContinueIsRefusedUnread() {
    Counted body = Counted.of(3);
    assertRefused(post(HttpEntities.create(ContentTypes.APPLICATION_JSON, 12, body.bytes()))
        .addHeader(RawHeader.create("Expect", "100-Continue")));
    assertEquals(0, body.read().get());
  }

  @Test
  void aChunkedBodyIsReadNoFurtherThanTheDrain() {
    Counted body = Counted.of(1000);
    assertRefused(post(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, body.bytes())));
    assertTrue(body.read().get() <= 9, "the 8 chunks up to the one that passed 10 + 20 bytes, and one in flight: "
        + body.read().get());
  }
}
