package io.tollgate.broker.invoicing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.tollgate.billing.InvoiceNumbers;
import io.tollgate.billing.Money;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.e2e.TestBroker;
import io.tollgate.broker.JournalDeletes;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.trim.JournalTrimmer;
import io.tollgate.broker.trim.LatestSnapshots;
import io.tollgate.broker.trim.ReadPositions;
import io.tollgate.broker.trim.TrimPlan;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.AlertCreated;
import io.tollgate.protocols.v1.journal.AlertCrossed;
import io.tollgate.protocols.v1.journal.ArchivedPeriod;
import io.tollgate.protocols.v1.journal.BillingArchiveSnapshot;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CreditNoteIssued;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.InvoiceAnnounced;
import io.tollgate.protocols.v1.journal.InvoiceFinalized;
import io.tollgate.protocols.v1.journal.InvoiceLine;
import io.tollgate.protocols.v1.journal.InvoiceStatusChanged;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.RevenueDelivered;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import io.tollgate.protocols.v1.journal.UsageAlert;
import io.tollgate.protocols.v1.journal.UsageRecorded;
import io.tollgate.protocols.v1.journal.WalletToppedUp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.SerializationSettings;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The account's billing entity driven through the testkit, with serialization verification on:
 * the order in which its answers from outside arrive is decided by each test.
 */
class AccountBillingTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(TestBroker.VERIFY_SERIALIZATION)
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());
  private static final SerializationSettings VERIFY_MESSAGES = new SerializationSettings(true, false, true, true, false);
  /** December 1st, 02:00 UTC: November ended two hours ago, past the one-hour grace. */
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-01T02:00:00Z"), ZoneOffset.UTC);
  private static final Instant NOVEMBER_10 = Instant.parse("2026-11-10T00:00:00Z");
  private static final Currency USD = Currency.getInstance("USD");
  private static final AtomicInteger accounts = new AtomicInteger();

  private final FakeOutside outside = new FakeOutside();
  private final FakeJournal journal = new FakeJournal();
  private final CatalogView view = new CatalogView();
  private String account;
  private Duration askTimeout = Duration.ofSeconds(3);
  private int maxAlerts = 100;
  private int snapshotEvery = 1000;
  private EventSourcedBehaviorTestKit<AccountBilling.Command, Message, BillingLedger> billing;

  @BeforeEach
  void newAccount() {
    account = "acc_t" + accounts.incrementAndGet();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private void start() {
    billing = EventSourcedBehaviorTestKit.create(testKit.system(), AccountBilling.create(account, view, journal, outside, NOW,
        new AccountBilling.Settings(PeriodScheme.parse("monthly"), Duration.ofHours(1), askTimeout, maxAlerts, snapshotEvery)), VERIFY_MESSAGES);
  }

  @Test
  void aVoidThatArrivesWhileACreditNoteIsBeingNumberedWaitsForTheNote() {
    start();
    billing.initialize(topUp("10.00"), invoice("inv_1", "10.00"));
    outside.numbersGate = new CompletableFuture<>();
    TestProbe<AccountBilling.Outcome> noteReply = testKit.createTestProbe();
    TestProbe<AccountBilling.Outcome> voidReply = testKit.createTestProbe();
    billing.runCommand(new AccountBilling.IssueCreditNote("inv_1", "4.00", "late", "ticket-1", "admin", noteReply.ref()));
    billing.runCommand(new AccountBilling.ChangeInvoiceStatus("inv_1", "void", "admin", voidReply.ref()));
    outside.numbersGate.complete(null);

    assertTrue(noteReply.expectMessageClass(AccountBilling.Outcome.class).ok());
    assertTrue(voidReply.expectMessageClass(AccountBilling.Outcome.class).ok());
    AccountBilling.Ledger ledger = ledger();
    AccountBilling.Invoice invoice = ledger.invoices().get(0);
    assertEquals("void", invoice.status());
    assertEquals(1, invoice.creditNotes().size(), "the note was issued before the void");
    assertEquals(Money.of("10.00", "USD"), ledger.wallet().get(USD), "the wallet gets back what it paid, once");
  }

  @Test
  void aCreditNoteNumberWhoseReplyWasLostEndsUpOnANote() {
    start();
    billing.initialize(invoice("inv_1", "0.00"));
    outside.loseNextNumberReply = true;
    TestProbe<AccountBilling.Outcome> firstTry = testKit.createTestProbe();
    billing.runCommand(new AccountBilling.IssueCreditNote("inv_1", "1.00", "late", "ticket-1", "admin", firstTry.ref()));
    firstTry.expectMessageClass(AccountBilling.Outcome.class, Duration.ofSeconds(10));
    TestProbe<AccountBilling.Outcome> otherKey = testKit.createTestProbe();
    billing.runCommand(new AccountBilling.IssueCreditNote("inv_1", "1.00", "late", "ticket-2", "admin", otherKey.ref()));
    assertTrue(otherKey.expectMessageClass(AccountBilling.Outcome.class, Duration.ofSeconds(10)).ok());

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(
        outside.numbersGiven(InvoiceNumbering.CREDIT_NOTES),
        ledger().invoices().get(0).creditNotes().stream().map(CreditNoteIssued::getNumber).sorted().toList(),
        "every number the sequence gave is on an issued note"));
  }

  @Test
  void aCloseWhoseJournalReadOutlastsTheAskTimeoutStillFinalizes() {
    askTimeout = Duration.ofMillis(500);
    catalogWithSubscription("sub_slow", NOVEMBER_10);
    journal.append(SubscriptionEntity.persistenceId("sub_slow"), usage(NOVEMBER_10.plusSeconds(60), 100));
    journal.gate = new CompletableFuture<>();
    start();
    billing.<AccountBilling.CloseStatus>runCommand(replyTo -> new AccountBilling.ClosePeriods(0, replyTo));
    testKit.createTestProbe().expectNoMessage(Duration.ofSeconds(2));
    journal.gate.complete(null);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, ledger().invoices().size()));
    assertEquals("6.00", ledger().invoices().get(0).finalized().getTotal(), "5.00 fee and 100 units at 0.01");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(
        List.of("TG " + ledger().invoices().get(0).finalized().getId()), outside.released, "a final invoice releases its number"));
  }

  @Test
  void aCloseSeesEverySubscriptionTheCatalogHadWhenItStarted() {
    catalogWithSubscription("sub_seen", NOVEMBER_10);
    outside.onCatalogCaughtUp = () -> view.catalog().apply(subscriptionCreated("sub_late", NOVEMBER_10));
    start();
    billing.<AccountBilling.CloseStatus>runCommand(replyTo -> new AccountBilling.ClosePeriods(0, replyTo));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, ledger().invoices().size()));
    assertEquals(List.of("sub_seen", "sub_late"), ledger().invoices().get(0).finalized().getLinesList().stream()
        .map(InvoiceLine::getSubscription).distinct().toList());
  }

  @Test
  void anAccountWhosePeriodsAreInvoicedAnswersACloseFromItsStateAlone() {
    catalogWithSubscription("sub_done", NOVEMBER_10);
    start();
    AccountBilling.CloseStatus first = close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, ledger().invoices().size()));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(close().settled()));
    int catalogReads = outside.catalogReads.get();
    int journalReads = journal.reads.get();

    AccountBilling.CloseStatus status = close();
    close();
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), status.closedThrough());
    assertTrue(status.settled());
    assertEquals(catalogReads, outside.catalogReads.get(), "no catalog read for an account with nothing to close");
    assertEquals(journalReads, journal.reads.get(), "no journal read for an account with nothing to close");
    assertEquals(Instant.EPOCH, first.closedThrough());
  }

  @Test
  void aClosedPeriodMovesToTheArchiveAndItsInvoiceIsStillReadPaidAndArchivedAgain() {
    catalogWithSubscription("sub_old", NOVEMBER_10);
    journal.append(SubscriptionEntity.persistenceId("sub_old"), usage(NOVEMBER_10.plusSeconds(60), 100));
    start();
    close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(close().settled()));
    String invoiceId = ledger().invoices().get(0).finalized().getId();

    BillingLedger live = billing.getState();
    assertEquals(Optional.empty(), live.invoice(invoiceId), "the closed period left the live state");
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), live.archivedThrough());
    assertEquals(0, live.toSnapshot().getInvoicesCount());
    assertEquals(0, live.toSnapshot().getUsageCount());
    assertEquals(List.of(invoiceId), ledger().invoices().stream().map(invoice -> invoice.finalized().getId()).toList(),
        "the invoice list reads the archive");
    assertEquals(100, billing.<AccountBilling.UsageReport>runCommand(AccountBilling.GetUsage::new).reply()
        .used("2026-11", "sub_old").units(), "so does usage");

    TestProbe<AccountBilling.Outcome> paid = testKit.createTestProbe();
    billing.runCommand(new AccountBilling.ChangeInvoiceStatus(invoiceId, "paid", "admin", paid.ref()));
    assertTrue(paid.expectMessageClass(AccountBilling.Outcome.class).ok(), "an archived invoice is reopened to be paid");
    assertEquals("paid", ledger().invoices().get(0).status());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(close().settled()));
    assertEquals(Optional.empty(), billing.getState().invoice(invoiceId), "and archived again");
    assertEquals("paid", outside.archives.get(account).invoice(invoiceId).orElseThrow().getStatus());
    assertEquals(1, ledger().invoices().size());
  }

  @Test
  void aCreditNoteAskedWhileItsPeriodIsBeingArchivedKeepsItsInvoiceLiveUntilTheNoteIsIssued() {
    catalogWithSubscription("sub_archiving", NOVEMBER_10);
    journal.append(SubscriptionEntity.persistenceId("sub_archiving"), usage(NOVEMBER_10.plusSeconds(60), 100));
    outside.archiveGate = new CompletableFuture<>();
    start();
    close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      close();
      assertEquals(1, outside.archiveRequests.get(), "the closed period is being stored in the archive");
    });
    String invoiceId = ledger().invoices().get(0).finalized().getId();
    outside.numbersGate = new CompletableFuture<>();
    TestProbe<AccountBilling.Outcome> noteReply = testKit.createTestProbe();
    billing.runCommand(new AccountBilling.IssueCreditNote(invoiceId, "1.00", "late", "ticket-1", "admin", noteReply.ref()));
    outside.archiveGate.complete(null);
    await().atMost(Duration.ofSeconds(10)).until(() -> outside.archiveRequests.get() >= 1 && !outside.archives.isEmpty());
    outside.numbersGate.complete(null);

    assertTrue(noteReply.expectMessageClass(AccountBilling.Outcome.class, Duration.ofSeconds(10)).ok(),
        "the note is issued on an invoice that stayed live");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(close().settled()));
    assertEquals(Optional.empty(), billing.getState().invoice(invoiceId), "archived once the note is issued");
    assertEquals(1, outside.archives.get(account).invoice(invoiceId).orElseThrow().getCreditNotesCount(),
        "the archive holds the invoice with its note");
  }

  @Test
  void reversalsConfirmedBeforeASnapshotAreNotSentAgainAfterARestart() {
    start();
    InvoiceFinalized invoice = invoice("inv_1", "0.00");
    BillingLedger ledger = new BillingLedger(account).apply(BillingJournal.event(invoice))
        .apply(BillingJournal.event(CreditNoteIssued.newBuilder().setId("cn_1").setNumber("TGCN-000001").setInvoice("inv_1")
            .setCurrency("USD").setAmount("1.00").setIdempotencyKey("k").build()))
        .apply(BillingJournal.event(InvoiceStatusChanged.newBuilder().setInvoice("inv_1").setStatus("void").build()));
    for (String key : List.of("inv_1", "cn_1", "inv_1:void")) {
      ledger.apply(BillingJournal.event(RevenueDelivered.newBuilder().setInvoice(key).build()));
    }
    SnapshotTestKit.create(testKit.system()).persistForRecovery(AccountBilling.persistenceId(account),
        List.of(Pair.create(new SnapshotMeta(4, 0), ledger.toSnapshot())));
    outside.announced.clear();
    billing.restart();

    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(500));
    assertEquals(List.of(), outside.credits, "every credit was confirmed before the snapshot");
  }

  @Test
  void everyChangeOfAnInvoiceIsAnnouncedOnceInOrderAndItsPeriodIsArchivedOnlyOnceTheTopicHoldsThem() {
    catalogWithSubscription("sub_told", NOVEMBER_10);
    journal.append(SubscriptionEntity.persistenceId("sub_told"), usage(NOVEMBER_10.plusSeconds(60), 100));
    outside.topicDown = true;
    start();
    close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(1, ledger().invoices().size()));
    String invoiceId = ledger().invoices().get(0).finalized().getId();
    TestProbe<AccountBilling.Outcome> reply = testKit.createTestProbe();
    billing.runCommand(new AccountBilling.IssueCreditNote(invoiceId, "1.00", "late", "ticket-1", "admin", reply.ref()));
    assertTrue(reply.expectMessageClass(AccountBilling.Outcome.class).ok());
    billing.runCommand(new AccountBilling.ChangeInvoiceStatus(invoiceId, "void", "admin", reply.ref()));
    assertTrue(reply.expectMessageClass(AccountBilling.Outcome.class).ok());
    billing.runCommand(new AccountBilling.ChangeInvoiceStatus(invoiceId, "void", "admin", reply.ref()));
    assertTrue(reply.expectMessageClass(AccountBilling.Outcome.class).ok(), "the same change again changes nothing");

    assertTrue(!close().settled(), "nothing is settled while the topic holds none of its events");
    assertTrue(billing.getState().invoice(invoiceId).isPresent(), "so the period stays live");
    assertEquals(List.of(), outside.announced);
    outside.topicDown = false;

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertTrue(close().settled()));
    assertEquals(List.of(invoiceId, "cn_tgcn_000001", invoiceId + ":voided"),
        outside.announced.stream().map(CloudEvent::getId).toList(), "each event once, in the order it happened");
    assertEquals(List.of("tollgate.invoice.finalized", "tollgate.credit_note.issued", "tollgate.invoice.voided"),
        outside.announced.stream().map(CloudEvent::getType).toList());
    assertTrue(outside.announced.get(2).getJsonData().contains("\"status\":\"void\""), outside.announced.get(2).getJsonData());
    assertTrue(outside.announced.get(1).getJsonData().contains("\"invoice\":\"" + invoiceId + "\""),
        outside.announced.get(1).getJsonData());
    assertEquals(Optional.empty(), billing.getState().invoice(invoiceId), "archived once the topic holds every event");
  }

  @Test
  void aBillingJournalTrimmedBehindItsReadersRecoversTheSameLedger() {
    snapshotEvery = 3;
    start();
    for (int i = 1; i <= 7; i++) {
      billing.runCommand(new AccountBilling.TopUp("order-" + i, Money.of("1.25", "USD"), "admin",
          testKit.<AccountBilling.Outcome>createTestProbe().ref()));
    }
    String journal = AccountBilling.persistenceId(account);
    AccountBilling.Ledger before = ledger();
    TrimReaders readers = new TrimReaders(Map.of(journal, 5L));
    var trimmer = testKit.spawn(JournalTrimmer.create(() -> List.of(journal), List.of(readers),
        LatestSnapshots.of(testKit.system()), JournalDeletes.of(testKit.system()), JournalTrimmer.Listener.NONE));

    assertEquals(List.of(new TrimPlan.Deletion(journal, 1, 5)), trimOnce(trimmer), "to the reader, below the snapshot at 6");
    assertEquals(2, PersistenceTestKit.create(testKit.system()).persistedInStorage(journal).size());
    readers.positions().put(journal, 7L);
    assertEquals(List.of(new TrimPlan.Deletion(journal, 6, 6)), trimOnce(trimmer),
        "never past the latest snapshot, whatever the readers");
    testKit.stop(trimmer);

    billing.restart();
    assertEquals(before.wallet(), ledger().wallet());
    assertEquals(Money.of("8.75", "USD"), ledger().wallet().get(USD));
    TestProbe<AccountBilling.Outcome> again = testKit.createTestProbe();
    billing.runCommand(new AccountBilling.TopUp("order-1", Money.of("1.25", "USD"), "admin", again.ref()));
    again.expectMessageClass(AccountBilling.Outcome.class);
    assertEquals(Money.of("8.75", "USD"), ledger().wallet().get(USD), "a top-up from a trimmed entry is still known");
  }

  /** A reader of the billing journal at the positions a test sets. */
  private record TrimReaders(Map<String, Long> positions) implements ReadPositions {
    TrimReaders(Map<String, Long> positions) {
      this.positions = new ConcurrentHashMap<>(positions);
    }

    @Override
    public String name() {
      return "test";
    }

    @Override
    public CompletionStage<Map<String, Long>> positionsIn(java.util.Collection<String> journals) {
      return CompletableFuture.completedFuture(Map.copyOf(positions));
    }
  }

  private static List<TrimPlan.Deletion> trimOnce(org.apache.pekko.actor.typed.ActorRef<JournalTrimmer.Command> trimmer) {
    TestProbe<JournalTrimmer.Trimmed> trimmed = testKit.createTestProbe();
    trimmer.tell(new JournalTrimmer.TrimNow(trimmed.ref()));
    return trimmed.expectMessageClass(JournalTrimmer.Trimmed.class, Duration.ofSeconds(10)).deletions();
  }

  @Test
  void anInvoiceTheWalletCoversIsAnnouncedFinalizedThenPaid() {
    catalogWithSubscription("sub_covered", NOVEMBER_10);
    start();
    billing.runCommand(new AccountBilling.TopUp("order-1", Money.of("10.00", "USD"), "admin",
        testKit.<AccountBilling.Outcome>createTestProbe().ref()));
    close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(2, outside.announced.size()));
    String invoiceId = ledger().invoices().get(0).finalized().getId();
    assertEquals(List.of(invoiceId, invoiceId + ":paid"), outside.announced.stream().map(CloudEvent::getId).toList());
  }

  @Test
  void invoiceEventsNotStoredBeforeARestartAreStoredOnceAfterIt() {
    start();
    billing.initialize(invoice("inv_1", "0.00"),
        InvoiceAnnounced.newBuilder().setInvoice("inv_1").build(),
        InvoiceStatusChanged.newBuilder().setInvoice("inv_1").setStatus("paid").setAtMillis(7).build());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(List.of("inv_1:paid"),
        outside.announced.stream().map(CloudEvent::getId).toList(), "only what the journal does not show stored"));
    assertEquals("1970-01-01T00:00:00.007Z", outside.announced.get(0).getAttributesMap().get("time").getCeTimestamp());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(billing.getState().unannounced().isEmpty()));

    outside.announced.clear();
    billing.restart();
    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(500));
    assertEquals(List.of(), outside.announced, "an event recorded as stored is not stored again");
  }

  @Test
  void aThresholdCrossedBeforeARestartIsAnnouncedOnceAfterItAndNeverFiredAgain() {
    catalogWithSubscription("sub_alerted", NOVEMBER_10);
    outside.topicDown = true;
    start();
    assertTrue(billing.<AccountBilling.Outcome>runCommand(replyTo -> new AccountBilling.CreateAlert(
        unitsAlert("alrt_100", 100), replyTo)).reply().ok());
    List<Message> written = billing.<Done>runCommand(replyTo -> new AccountBilling.RecordUsage(
        decemberUsage("sub_alerted", 1, 150), replyTo)).events();
    assertEquals(2, written.size(), "the usage and its crossing in one write: " + written);
    AlertCrossed crossed = (AlertCrossed) written.get(1);
    assertEquals("2026-12", crossed.getCrossing().getPeriod());
    assertEquals("150", crossed.getCrossing().getValue());
    // Not close(): it would start closing November, whose invoice could be finalized before the
    // restart (or not), and then be announced after it too.
    assertTrue(!billing.getState().settled(), "an announcement waits while the topic stores nothing");

    outside.topicDown = false;
    billing.restart();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(List.of("alrt_100:2026-12"),
        outside.announced.stream().map(CloudEvent::getId).toList(), "sent again after the restart"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertTrue(billing.getState().unannouncedCrossings().isEmpty()));
    CloudEvent event = outside.announced.get(0);
    assertEquals("tollgate.usage.threshold_crossed", event.getType());
    assertEquals(account, event.getAttributesMap().get("subject").getCeString());
    assertTrue(event.getJsonData().contains("\"value\":150") && event.getJsonData().contains("\"threshold\":100"),
        event.getJsonData());

    assertEquals(1, billing.<Done>runCommand(replyTo -> new AccountBilling.RecordUsage(
        decemberUsage("sub_alerted", 2, 500), replyTo)).events().size(), "crossed in this period already");
    outside.announced.clear();
    billing.restart();
    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(500));
    assertEquals(List.of(), outside.announced, "a crossing recorded as stored is not stored again");
    assertEquals(1, billing.<AccountBilling.Alerts>runCommand(AccountBilling.GetAlerts::new).reply().crossings().size());
  }

  @Test
  void anAlertUsageIsPastFiresAsItIsCreatedAndTheAccountsLimitRefusesOneMore() {
    maxAlerts = 2;
    catalogWithSubscription("sub_busy", NOVEMBER_10);
    start();
    billing.<Done>runCommand(replyTo -> new AccountBilling.RecordUsage(decemberUsage("sub_busy", 1, 30), replyTo));
    var created = billing.<AccountBilling.Outcome>runCommand(replyTo -> new AccountBilling.CreateAlert(
        unitsAlert("alrt_20", 20), replyTo));
    assertEquals("alrt_20", created.reply().created());
    assertEquals(List.of(AlertCreated.class, AlertCrossed.class),
        created.events().subList(0, 2).stream().map(Object::getClass).toList(),
        "created and crossed in one write (then announced)");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertTrue(billing.getState().unannouncedCrossings().isEmpty(), "the announcement is recorded as stored"));
    var again = billing.<AccountBilling.Outcome>runCommand(replyTo -> new AccountBilling.CreateAlert(
        unitsAlert("alrt_20", 20), replyTo));
    assertEquals("alrt_20", again.reply().created(), "a retried create finds it made");
    assertEquals(0, again.events().size());
    assertTrue(billing.<AccountBilling.Outcome>runCommand(replyTo -> new AccountBilling.CreateAlert(
        unitsAlert("alrt_40", 40), replyTo)).reply().ok());
    assertEquals("too_many_alerts", billing.<AccountBilling.Outcome>runCommand(replyTo -> new AccountBilling.CreateAlert(
        unitsAlert("alrt_60", 60), replyTo)).reply().rejection().code());
    assertEquals("alert_not_found", billing.<AccountBilling.Outcome>runCommand(replyTo -> new AccountBilling.DeleteAlert(
        "alrt_none", replyTo)).reply().rejection().code());
    assertTrue(billing.<AccountBilling.Outcome>runCommand(replyTo -> new AccountBilling.DeleteAlert(
        "alrt_40", replyTo)).reply().ok());
    assertEquals(List.of("alrt_20"), billing.<AccountBilling.Alerts>runCommand(AccountBilling.GetAlerts::new).reply()
        .alerts().stream().map(UsageAlert::getId).toList());
  }

  // ---- what the tests build ------------------------------------------------------------------

  private AccountBilling.CloseStatus close() {
    return billing.<AccountBilling.CloseStatus>runCommand(replyTo -> new AccountBilling.ClosePeriods(0, replyTo)).reply();
  }

  private AccountBilling.Ledger ledger() {
    return billing.<AccountBilling.Ledger>runCommand(AccountBilling.GetLedger::new).reply();
  }

  private static WalletToppedUp topUp(String amount) {
    return WalletToppedUp.newBuilder().setIdempotencyKey("order-1").setCurrency("USD").setAmount(amount).build();
  }

  private InvoiceFinalized invoice(String id, String creditsApplied) {
    Money total = Money.of("10.00", "USD");
    return InvoiceFinalized.newBuilder().setId(id).setNumber("TG-000001").setAccount(account).setPeriod("2026-11")
        .setCurrency("USD").setTotal(total.toString())
        .addLines(InvoiceLine.newBuilder().setSubscription("sub_a").setPlan("plan_a").setKind("usage").setTier(1)
            .setQuantity(1000).setAmount(total.toString()).setProducer("acc_producer").setRevenueShare("0.70"))
        .setCreditsApplied(creditsApplied).setAmountDue(total.minus(Money.of(creditsApplied, "USD")).toString()).build();
  }

  private void catalogWithSubscription(String subscription, Instant at) {
    view.catalog().apply(CatalogChange.newBuilder().setAtMillis(at.toEpochMilli()).setActor("admin")
        .setProductCreated(ProductCreated.newBuilder().setId("prod_x").setName("x").setOwner("acc_producer")).build());
    view.catalog().apply(CatalogChange.newBuilder().setAtMillis(at.toEpochMilli()).setActor("admin")
        .setPlanCreated(PlanCreated.newBuilder().setId("plan_fee").setProductId("prod_x").setName("fee")
            .setTerms(PlanTerms.newBuilder().setCurrency("USD").setRecurringFee("5.00").setRevenueShare("0.70")
                .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01"))))).build());
    view.catalog().apply(subscriptionCreated(subscription, at));
  }

  private CatalogChange subscriptionCreated(String subscription, Instant at) {
    return CatalogChange.newBuilder().setAtMillis(at.toEpochMilli()).setActor(account)
        .setSubscriptionCreated(SubscriptionCreated.newBuilder().setId(subscription).setAccount(account)
            .setProduct("prod_x").setPlan("plan_fee").setDeliveryType("websocket")).build();
  }

  private static NewAlert unitsAlert(String id, long units) {
    return new NewAlert(id, "", "", new NewAlert.Units(units), NOW.instant(), "acc_t");
  }

  private static UsageRecorded decemberUsage(String subscription, long sequence, long units) {
    return UsageRecorded.newBuilder().setSubscription(subscription).setSequence(sequence).setPeriod("2026-12")
        .setUnits(units).setAtMillis(NOW.millis()).setPlan("plan_fee").build();
  }

  private static CursorsAdvanced usage(Instant at, long units) {
    return CursorsAdvanced.newBuilder().setPeriod("2026-11").setUnits(units).setAtMillis(at.toEpochMilli()).build();
  }

  /** Journals held in memory; a read waits for {@link #gate}. */
  static final class FakeJournal implements CurrentEventsByPersistenceIdQuery {
    final Map<String, List<Object>> events = new ConcurrentHashMap<>();
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    final AtomicInteger reads = new AtomicInteger();

    void append(String persistenceId, Object event) {
      events.computeIfAbsent(persistenceId, id -> new CopyOnWriteArrayList<>()).add(event);
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long from, long to) {
      reads.incrementAndGet();
      List<Object> stored = events.getOrDefault(persistenceId, List.of());
      List<EventEnvelope> envelopes = new ArrayList<>();
      for (long sequence = Math.max(1, from); sequence <= Math.min(to, stored.size()); sequence++) {
        envelopes.add(new EventEnvelope(Offset.sequence(sequence), persistenceId, sequence, stored.get((int) sequence - 1), 0L));
      }
      return Source.completionStage(gate.thenApply(open -> envelopes)).mapConcat(list -> list);
    }
  }

  /** Numbering like {@link InvoiceNumbering}, producers that confirm at once, an invoices topic that stores. */
  static class FakeOutside implements AccountBilling.Outside {
    final Map<String, Map<String, Long>> numbers = new ConcurrentHashMap<>();
    final List<RevenueCredited> credits = new CopyOnWriteArrayList<>();
    final List<CloudEvent> announced = new CopyOnWriteArrayList<>();
    /** While it is down, the invoices topic stores nothing. */
    volatile boolean topicDown;
    final List<String> released = new CopyOnWriteArrayList<>();
    final Map<String, ArchivedPeriods> archives = new ConcurrentHashMap<>();
    volatile CompletableFuture<Void> numbersGate = CompletableFuture.completedFuture(null);
    /** A store in the archive waits for this. */
    volatile CompletableFuture<Void> archiveGate = CompletableFuture.completedFuture(null);
    final AtomicInteger archiveRequests = new AtomicInteger();
    volatile boolean loseNextNumberReply;
    volatile Runnable onCatalogCaughtUp = () -> { };
    final AtomicInteger catalogReads = new AtomicInteger();

    synchronized List<String> numbersGiven(String issuer) {
      return numbers.getOrDefault(issuer, Map.of()).values().stream().sorted()
          .map(number -> new InvoiceNumbers(issuer, number).format()).toList();
    }

    @Override
    public CompletionStage<String> number(String issuer, String document) {
      return numbersGate.thenApply(open -> {
        long number;
        boolean lose;
        synchronized (this) {
          Map<String, Long> sequence = numbers.computeIfAbsent(issuer, i -> new ConcurrentHashMap<>());
          number = sequence.computeIfAbsent(document, d -> (long) sequence.size() + 1);
          lose = loseNextNumberReply;
          loseNextNumberReply = false;
        }
        if (lose) {
          throw new IllegalStateException("the numbering's reply was lost");
        }
        return new InvoiceNumbers(issuer, number).format();
      });
    }

    @Override
    public CompletionStage<Done> archive(String account, ArchivedPeriod period) {
      archiveRequests.incrementAndGet();
      return archiveGate.thenApply(open -> {
        synchronized (this) {
          archives.computeIfAbsent(account, a -> new ArchivedPeriods()).add(period);
        }
        return Done.getInstance();
      });
    }

    @Override
    public synchronized CompletionStage<BillingArchiveSnapshot> archived(String account) {
      return CompletableFuture.completedFuture(archives.getOrDefault(account, new ArchivedPeriods()).toSnapshot());
    }

    @Override
    public void release(String issuer, String document) {
      released.add(issuer + " " + document);
    }

    @Override
    public CompletionStage<Done> credit(String producer, RevenueCredited credit) {
      credits.add(credit);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Boolean> announce(CloudEvent event) {
      if (topicDown) {
        return CompletableFuture.completedFuture(false);
      }
      announced.add(event);
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Void> catalogCaughtUp(long version) {
      catalogReads.incrementAndGet();
      onCatalogCaughtUp.run();
      return CompletableFuture.completedFuture(null);
    }
  }
}
