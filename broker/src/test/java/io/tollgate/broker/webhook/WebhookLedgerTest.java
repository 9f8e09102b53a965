package io.tollgate.broker.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import io.tollgate.protocols.v1.CloudEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger driven through the testkit, commands, events and snapshots through the broker's serializer. */
class WebhookLedgerTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final SerializationSettings VERIFY_MESSAGES = new SerializationSettings(true, true, true, true, false);
  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  static final WebhookSettings SETTINGS = new WebhookSettings(Optional.empty(), true, 10, 100, 1, 4,
      Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 16, new RetryPolicy(Duration.ofMillis(10),
      Duration.ofSeconds(1), 0, Duration.ofMinutes(1)), 5, Duration.ofSeconds(1), Duration.ZERO, 3,
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(10),
      new WebhookSettings.DeadLetters(new DeadLetterPolicy(true, Duration.ofMinutes(1), 2), 3, 1 << 20));
  /** Each bill asked: redelivery, units and bytes. */
  private final List<List<Long>> bills = new CopyOnWriteArrayList<>();
  private final AtomicInteger tries = new AtomicInteger();
  private EventSourcedBehaviorTestKit<WebhookLedger.Command, Message, WebhookLedger.State> ledger;

  @BeforeEach
  void create() {
    bills.clear();
    ledger = EventSourcedBehaviorTestKit.create(testKit.system(), WebhookLedger.create("sub_test", SETTINGS,
        (subscription, redelivery, units, bytes, atMillis) -> {
          bills.add(List.of(redelivery, units, bytes));
          return CompletableFuture.completedFuture(null);
        }), VERIFY_MESSAGES);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A request of its own: the next try of batch msg_1. */
  private Attempt attempt(int status) {
    return new Attempt(0, "msg_1", T0, status, 5, "", "", 1, "shop.orders:0:1:0", "shop.orders:0:1:0",
        Optional.empty(), tries.incrementAndGet(), false);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<WebhookLedger.Command, Message, WebhookLedger.State,
      WebhookLedger.Reply> logAttempts(List<Attempt> attempts) {
    return ledger.runCommand(replyTo -> new WebhookLedger.RecordAttempts(attempts, replyTo));
  }

  private static DeadLetter letter(long sequence) {
    return new DeadLetter(0, new AckPoint(new Cursor("shop.orders", 0, sequence, 0), sequence),
        CloudEvent.newBuilder().setId("e-" + sequence).setSource("/s").setType("t").setSpecVersion("1.0")
            .setJsonData("{\"n\":" + sequence + "}").build(),
        T0, T0, "status 500", false);
  }

  private WebhookLedger.Reply add(DeadLetter... letters) {
    return ledger.<WebhookLedger.Reply>runCommand(replyTo -> new WebhookLedger.AddDeadLetters(List.of(letters),
        replyTo)).reply();
  }

  private WebhookLedger.DeadLetterPage deadLetters(boolean queuedOnly) {
    return ledger.<WebhookLedger.DeadLetterPage>runCommand(replyTo -> new WebhookLedger.GetDeadLetters(0, 100,
        queuedOnly, replyTo)).reply();
  }

  private WebhookWorker.AttemptsPage attempts() {
    return ledger.<WebhookWorker.AttemptsPage>runCommand(replyTo -> new WebhookLedger.GetAttempts(0, 10, replyTo))
        .reply();
  }

  @Test
  void theLatestAttemptsAndTheDeadLettersSurviveARestartFromASnapshotAndNumberingGoesOn() {
    assertEquals(1, add(letter(1)).count());
    for (int i = 0; i < 510; i++) {
      logAttempts(List.of(attempt(500)));
    }
    ledger.restart();
    assertEquals(List.of(510L, 509L, 508L), attempts().attempts().stream().map(Attempt::number).toList(),
        "the latest attempt-log-size attempts, newest first");
    logAttempts(List.of(attempt(200)));
    assertEquals(511, attempts().attempts().get(0).number());
    assertEquals(List.of(1L), deadLetters(false).letters().stream().map(DeadLetter::number).toList());
    assertEquals(1, add(letter(2)).count());
    assertEquals(List.of(1L, 2L), deadLetters(false).letters().stream().map(DeadLetter::number).toList());
  }

  @Test
  void attemptsRecordedTogetherAreOneWriteNumberedInTheirOrderAndASnapshotWithinTheWriteKeepsThem() {
    logAttempts(List.of(attempt(200)));
    var together = logAttempts(java.util.stream.IntStream.range(0, 600).mapToObj(i -> attempt(i % 2 == 0 ? 200 : 503))
        .toList());
    assertEquals(600, together.events().size(), "one event per attempt, persisted in one write");
    assertEquals(600, together.reply().count(), "answered once written");
    assertEquals(List.of(601L, 600L, 599L), attempts().attempts().stream().map(Attempt::number).toList());
    assertEquals(List.of(503, 200, 503), attempts().attempts().stream().map(Attempt::status).toList(),
        "in the order they were given");
    ledger.restart();
    assertEquals(List.of(601L, 600L, 599L), attempts().attempts().stream().map(Attempt::number).toList(),
        "the snapshot taken on passing 500 inside the write, and the events after it");
  }

  @Test
  void theStoreIsBoundedAndAnEventIsNotStoredTwice() {
    assertEquals(2, add(letter(1), letter(2)).count());
    assertEquals(0, add(letter(2)).count());
    WebhookLedger.Reply full = add(letter(3), letter(4));
    assertEquals("dead_letters_full", full.code());
    assertEquals(2, deadLetters(false).count());
  }

  @Test
  void aRedeliveryRemovesItsLettersAndIsBilledUnderItsNumberWhichARestartSendsAgain() {
    add(letter(1), letter(2), letter(3));
    WebhookLedger.Reply queued = ledger.<WebhookLedger.Reply>runCommand(replyTo -> new WebhookLedger.SelectDeadLetters(
        "replay", new DeadLetterSelection(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.of(new Cursor("shop.orders", 0, 2, 0)), 0), replyTo)).reply();
    assertEquals(2, queued.count());
    assertEquals(List.of(1L, 2L), deadLetters(true).letters().stream().map(DeadLetter::number).toList());
    WebhookLedger.Reply redelivered = ledger.<WebhookLedger.Reply>runCommand(replyTo ->
        new WebhookLedger.Redelivered(List.of(1L, 2L), T0, replyTo)).reply();
    assertEquals(2, redelivered.count());
    assertEquals(List.of(List.of(1L, 2L, 14L)), bills, "two events of 7 bytes of data each");
    ledger.restart();
    assertEquals(List.of(List.of(1L, 2L, 14L), List.of(1L, 2L, 14L)), bills,
        "unconfirmed at the restart, it is sent again under the same number, which the subscription bills once");
    assertEquals(List.of(3L), deadLetters(false).letters().stream().map(DeadLetter::number).toList());
    ledger.<WebhookLedger.Reply>runCommand(replyTo -> new WebhookLedger.Redelivered(List.of(3L), T0, replyTo));
    assertEquals(List.of(2L, 1L, 7L), bills.get(2));
    assertTrue(ledger.<WebhookLedger.Reply>runCommand(replyTo -> new WebhookLedger.Redelivered(List.of(3L), T0,
        replyTo)).hasNoEvents(), "a letter already removed is not redelivered twice");
  }

  @Test
  void aDeletionRemovesWithoutBillingAndAReplayThatGaveUpLeavesItsLettersUnqueued() {
    add(letter(1), letter(2));
    ledger.<WebhookLedger.Reply>runCommand(replyTo -> new WebhookLedger.SelectDeadLetters("replay",
        DeadLetterSelection.ALL, replyTo));
    WebhookLedger.Reply gaveUp = ledger.<WebhookLedger.Reply>runCommand(replyTo ->
        new WebhookLedger.ReplayGaveUp(List.of(1L), replyTo)).reply();
    assertEquals(1, gaveUp.count(), "answered once written, so its sender stops sending it");
    assertEquals(List.of(2L), deadLetters(true).letters().stream().map(DeadLetter::number).toList());
    ledger.<WebhookLedger.Reply>runCommand(replyTo -> new WebhookLedger.ReplayGaveUp(List.of(1L), replyTo));
    assertEquals(List.of(2L), deadLetters(true).letters().stream().map(DeadLetter::number).toList(),
        "a copy sent again changes nothing more");
    WebhookLedger.Reply deleted = ledger.<WebhookLedger.Reply>runCommand(replyTo ->
        new WebhookLedger.SelectDeadLetters("delete", DeadLetterSelection.one(2), replyTo)).reply();
    assertEquals(1, deleted.count());
    assertEquals(1, deadLetters(false).count());
    assertTrue(bills.isEmpty());
  }

  @Test
  void aWriteSentAgainIsAnsweredWithoutWritingEvenAfterARestart() {
    List<Attempt> write = List.of(attempt(503), attempt(200));
    assertEquals(2, logAttempts(write).reply().count());
    var copy = logAttempts(write);
    assertTrue(copy.hasNoEvents(), "the copy of a write the log holds is not written again");
    assertEquals(0, copy.reply().count());
    ledger.restart();
    assertTrue(logAttempts(write).hasNoEvents(), "the log recovered from its journal still knows the write");
    assertEquals(List.of(2L, 1L), attempts().attempts().stream().map(Attempt::number).toList());
    assertEquals(1, logAttempts(List.of(attempt(200))).events().size(), "another request is written");
  }
}
