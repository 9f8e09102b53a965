package io.tollgate.broker.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/** The heap budget the tails of a node share, over tails that hold entries' heap accounts. */
class TailBudgetTest {
  /** A tail holding entries oldest first, as {@link TailBuffer} does, locked as {@link PartitionTail} locks it. */
  private static final class Tail implements TailBudget.Tail {
    private final ArrayDeque<EntryHeap> entries = new ArrayDeque<>();
    private final TailBudget budget;
    private final TailBudget.Share share;

    Tail(TailBudget budget) {
      this.budget = budget;
      this.share = budget.join(this);
    }

    /** Holds an entry of {@code bytes}, then lets the budget evict if the tails passed it, as a tail's reader does. */
    EntryHeap hold(long bytes) {
      EntryHeap entry = new EntryHeap(bytes);
      synchronized (this) {
        entries.add(entry);
        entry.holdIn(share);
      }
      budget.reclaim();
      return entry;
    }

    @Override
    public synchronized TailBudget.Evicted evictOldest(long bytes) {
      int evicted = 0;
      long freed = 0;
      while (!entries.isEmpty() && freed < bytes) {
        freed += entries.poll().release();
        evicted++;
      }
      return new TailBudget.Evicted(evicted, freed);
    }

    synchronized int held() {
      return entries.size();
    }

    synchronized long heldBytes() {
      return entries.stream().mapToLong(EntryHeap::bytes).sum();
    }
  }

  @Test
  void nothingIsEvictedWhileTheTailsHoldNoMoreThanTheBudget() {
    TailBudget budget = new TailBudget(1_000);
    Tail one = new Tail(budget);
    Tail other = new Tail(budget);
    for (int i = 0; i < 5; i++) {
      one.hold(100);
      other.hold(100);
    }
    assertEquals(1_000, budget.usedBytes());
    assertEquals(0, budget.evictedEntries());
    assertEquals(5, one.held());
  }

  @Test
  void passingTheBudgetMakesTheTailHoldingMostEvictItsOldestUntilSevenEighthsOfTheBudgetAreHeld() {
    TailBudget budget = new TailBudget(8_000);
    Tail large = new Tail(budget);
    Tail small = new Tail(budget);
    List<EntryHeap> largeEntries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      largeEntries.add(large.hold(500));
    }
    for (int i = 0; i < 5; i++) {
      small.hold(500);
    }
    assertEquals(7_500, budget.usedBytes());

    small.hold(1_000);
    assertEquals(7_000, budget.usedBytes(), "back to 7/8 of the budget, so that the next write does not evict again");
    assertEquals(3, budget.evictedEntries());
    assertEquals(7, large.held(), "the tail holding most gave back its three oldest");
    assertEquals(6, small.held());
    assertEquals(0, largeEntries.get(2).release(), "an evicted entry is held by no one");
  }

  @Test
  void whenTheTailHoldingMostHasGivenAllItHeldTheNextGivesToo() {
    TailBudget budget = new TailBudget(1_000);
    List<Tail> tails = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Tail tail = new Tail(budget);
      tails.add(tail);
      tail.hold(100);
    }
    tails.get(0).hold(100);
    assertEquals(800, budget.usedBytes(), "whole entries, down to 7/8 of the budget or below");
    assertEquals(3, budget.evictedEntries(), "the first tail's two entries, then one of another's");
    assertEquals(0, tails.get(0).held());
    assertEquals(8, tails.stream().mapToInt(Tail::held).sum());
  }

  @Test
  void aTailThatLeftIsNeverAskedToEvict() {
    TailBudget budget = new TailBudget(1_000);
    Tail gone = new Tail(budget);
    gone.hold(900);
    budget.leave(gone.share);
    Tail staying = new Tail(budget);
    staying.hold(200);
    assertEquals(1, gone.held());
    assertEquals(0, staying.held(), "the only tail still in the budget gave back what it held");
  }

  @Test
  void aPieceRenderedFromAHeldEntryIsChargedAndCanMakeTheTailsEvict() {
    TailBudget budget = new TailBudget(1_000);
    Tail tail = new Tail(budget);
    EntryHeap oldest = tail.hold(400);
    EntryHeap newest = tail.hold(400);
    newest.add(300);
    assertEquals(700, budget.usedBytes(), "the rendering passed the budget: the oldest entry was evicted");
    assertEquals(1, tail.held());
    oldest.add(1_000);
    assertEquals(700, budget.usedBytes(), "what is rendered from an evicted entry is charged to no one");
    assertEquals(1_400, oldest.bytes(), "though the entry still counts it");
  }

  @Test
  void chargesFromManyThreadsWhileTheTailsEvictLoseNoByteAndEndWithinTheBudget() throws Exception {
    TailBudget budget = new TailBudget(50_000);
    int threads = 4;
    List<Tail> tails = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      tails.add(new Tail(budget));
    }
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> running = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Tail own = tails.get(i);
      Tail next = tails.get((i + 1) % threads);
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int entry = 0; entry < 20_000; entry++) {
          EntryHeap held = own.hold(100 + entry % 7);
          held.add(30);
          next.hold(50).add(entry % 3);
        }
      });
      thread.start();
      running.add(thread);
    }
    for (Thread thread : running) {
      thread.join();
    }
    long held = tails.stream().mapToLong(Tail::heldBytes).sum();
    assertEquals(held, budget.usedBytes(), "the budget counts exactly what the tails hold");
    assertEquals(held, tails.stream().mapToLong(tail -> tail.share.held()).sum());
    assertTrue(budget.usedBytes() <= 50_000, "within the budget once all have charged: " + budget.usedBytes());
    assertTrue(budget.evictedEntries() > 0);
  }
}
