package io.tollgate.broker.invoicing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import com.typesafe.config.ConfigFactory;
import io.tollgate.billing.Period;
import io.tollgate.billing.PeriodScheme;
import io.tollgate.broker.catalog.CatalogView;
import io.tollgate.broker.e2e.MutableClock;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.protocols.v1.CloudEvent;
import io.tollgate.protocols.v1.journal.CatalogChange;
import io.tollgate.protocols.v1.journal.CursorsAdvanced;
import io.tollgate.protocols.v1.journal.PerUnit;
import io.tollgate.protocols.v1.journal.PlanCreated;
import io.tollgate.protocols.v1.journal.PlanTerms;
import io.tollgate.protocols.v1.journal.PriceModel;
import io.tollgate.protocols.v1.journal.ProductCreated;
import io.tollgate.protocols.v1.journal.RevenueCredited;
import io.tollgate.protocols.v1.journal.SubscriptionCreated;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Not a test: the benchmark of docs/benchmarks.md's period close. Surefire runs it only when
 * named ({@code bench/billing-close.sh}). 10,000 subscriptions (ACCOUNTS accounts of
 * SUBSCRIPTIONS each) are billed through PERIODS monthly periods by the real AccountBilling
 * entities on the in-memory persistence testkit, with the numbering, producers, invoices topic
 * and archive answering at once (AccountBillingTest's fakes): what is timed is the billing's own
 * work. Each period: one usage record per subscription, the clock moved past the grace, then
 * one close round: ClosePeriods to every account CloseSchedule names, again every tick until
 * every account reports its period closed and settled (invoiced, confirmed, archived). Then an
 * idle tick: ClosePeriods to every account (as the closer did before CloseSchedule) and the
 * number CloseSchedule would ask (none). The live state of one account is replayed from its
 * journal to report its snapshot size.
 */
class PeriodCloseBench {
  private static final int ACCOUNTS = Integer.getInteger("bench.accounts", 1_000);
  private static final int SUBSCRIPTIONS = Integer.getInteger("bench.subscriptions-per-account", 10);
  private static final int PERIODS = Integer.getInteger("bench.periods", 12);
  private static final Duration TICK = Duration.ofMillis(100);
  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING"))
      .withFallback(ConfigFactory.parseResources("tollgate/node.conf"))
      .withFallback(ConfigFactory.load())
      .resolve());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void closeTenThousandSubscriptionsThroughTwelvePeriods() throws Exception {
    PeriodScheme monthly = PeriodScheme.parse("monthly");
    Duration grace = Duration.ofHours(1);
    Period first = monthly.periodOf(Instant.parse("2026-01-15T00:00:00Z"));
    MutableClock clock = new MutableClock(first.start());
    CatalogView view = new CatalogView();
    view.catalog().apply(change(first.start()).setProductCreated(ProductCreated.newBuilder().setId("prod_x").setName("x")
        .setOwner("acc_producer")).build());
    view.catalog().apply(change(first.start()).setPlanCreated(PlanCreated.newBuilder().setId("plan_fee").setProductId("prod_x")
        .setName("fee").setTerms(PlanTerms.newBuilder().setCurrency("USD").setRecurringFee("5.00").setRevenueShare("0.70")
            .setPrice(PriceModel.newBuilder().setPerUnit(PerUnit.newBuilder().setUnitAmount("0.01"))))).build());
    List<String> accounts = new ArrayList<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      String account = "acc_b" + a;
      accounts.add(account);
      for (int s = 0; s < SUBSCRIPTIONS; s++) {
        view.catalog().apply(change(first.start()).setSubscriptionCreated(SubscriptionCreated.newBuilder()
            .setId("sub_" + a + "_" + s).setAccount(account).setProduct("prod_x").setPlan("plan_fee")
            .setDeliveryType("websocket")).build());
      }
    }
    AccountBillingTest.FakeJournal journal = new AccountBillingTest.FakeJournal();
    AccountBillingTest.FakeOutside outside = new AccountBillingTest.FakeOutside() {
      @Override
      public CompletionStage<Done> credit(String producer, RevenueCredited credit) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }

      @Override
      public CompletionStage<Boolean> announce(CloudEvent event) {
        return CompletableFuture.completedFuture(true);
      }
    };
    AccountBilling.Settings settings = new AccountBilling.Settings(monthly, grace, Duration.ofSeconds(30), 100, 1000);
    Map<String, ActorRef<AccountBilling.Command>> billing = new HashMap<>();
    accounts.forEach(account -> billing.put(account,
        testKit.spawn(AccountBilling.create(account, view, journal, outside, clock, settings))));
    CloseSchedule schedule = new CloseSchedule(monthly, grace);
    PersistenceTestKit persisted = PersistenceTestKit.create(testKit.system());

    System.out.printf("%nbench period-close: %d accounts x %d subscriptions = %d, %d periods, machine load %s%n",
        ACCOUNTS, SUBSCRIPTIONS, ACCOUNTS * SUBSCRIPTIONS, PERIODS, loadAverage());
    System.out.println("bench | period | close ms | ticks | idle tick ms (all accounts) | accounts a tick asks | "
        + "live snapshot bytes (1 account) | journal events (1 account)");
    Period period = first;
    for (int n = 1; n <= PERIODS; n++) {
      Instant ack = period.start().plus(Duration.ofDays(3));
      for (int a = 0; a < ACCOUNTS; a++) {
        for (int s = 0; s < SUBSCRIPTIONS; s++) {
          journal.append(SubscriptionEntity.persistenceId("sub_" + a + "_" + s), CursorsAdvanced.newBuilder()
              .setPeriod(period.id()).setUnits(100).setAtMillis(ack.toEpochMilli()).build());
        }
      }
      clock.set(period.end().plus(grace).plusSeconds(60));
      Instant due = schedule.dueThrough(clock.instant());

      long started = System.nanoTime();
      int ticks = 0;
      List<String> toAsk = schedule.toAsk(accounts, clock.instant());
      while (!toAsk.isEmpty()) {
        ticks++;
        List<AccountBilling.CloseStatus> answers = round(billing, toAsk, view.catalog().version());
        answers.forEach(schedule::heard);
        toAsk = schedule.toAsk(accounts, clock.instant());
        if (!toAsk.isEmpty()) {
          Thread.sleep(TICK.toMillis()); // the close interval: a benchmark's pause, not a test's synchronisation
        }
      }
      long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      long idleStarted = System.nanoTime();
      List<AccountBilling.CloseStatus> idle = round(billing, accounts, view.catalog().version());
      long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleStarted);
      assertEquals(ACCOUNTS, idle.stream().filter(status -> status.settled() && !status.closedThrough().isBefore(due)).count());

      List<Message> events = persisted.persistedInStorage(AccountBilling.persistenceId(accounts.get(0))).stream()
          .map(Message.class::cast).toList();
      BillingLedger ledger = new BillingLedger(accounts.get(0));
      events.forEach(event -> ledger.apply(BillingJournal.event(event)));
      System.out.printf("bench | %d | %d | %d | %d | %d | %d | %d%n", n, closeMillis, ticks, idleMillis,
          schedule.toAsk(accounts, clock.instant()).size(), ledger.toSnapshot().getSerializedSize(), events.size());
      period = monthly.periodOf(period.end());
    }
  }

  private static List<AccountBilling.CloseStatus> round(Map<String, ActorRef<AccountBilling.Command>> billing,
                                                        List<String> accounts, long catalogVersion) throws Exception {
    List<CompletableFuture<AccountBilling.CloseStatus>> answers = new ArrayList<>();
    for (String account : accounts) {
      answers.add(AskPattern.<AccountBilling.Command, AccountBilling.CloseStatus>ask(billing.get(account),
          replyTo -> new AccountBilling.ClosePeriods(catalogVersion, replyTo), Duration.ofSeconds(60),
          testKit.system().scheduler()).toCompletableFuture());
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    return answers.stream().map(CompletableFuture::join).toList();
  }

  private static CatalogChange.Builder change(Instant at) {
    return CatalogChange.newBuilder().setAtMillis(at.toEpochMilli()).setActor("admin");
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
