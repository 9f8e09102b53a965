package io.tollgate.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every event acknowledged to a persistent actor is still there after the JVM gets SIGKILL. */
class CrashDurabilityTest {

  private static final int ACKS_BEFORE_KILL = 3000;
  private static final String END_OF_OUTPUT = "<eof>";

  private final Path dir = TestStores.newDir("crash");
  private final Path writerStderr = dir.resolveSibling(dir.getFileName() + "-writer.err");

  @AfterEach
  void deleteStore() throws IOException {
    TestStores.deleteRecursively(dir);
    Files.deleteIfExists(writerStderr);
  }

  @Test
  void acknowledgedEventsSurviveKillMinus9() throws Exception {
    Process writer = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-cp", System.getProperty("java.class.path"),
            CrashWriterMain.class.getName(),
            dir.toString())
        .redirectError(writerStderr.toFile())
        .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> pump(writer, lines), "crash-writer-stdout");
    reader.start();

    Map<String, Long> acked = new HashMap<>();
    int acks = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    try {
      while (acks < ACKS_BEFORE_KILL) {
        String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null || line.equals(END_OF_OUTPUT)) {
          fail("writer process stopped or stalled after " + acks + " acks, stderr:\n"
              + Files.readString(writerStderr));
        }
        acks += recordAck(line, acked);
      }
    } finally {
      writer.destroyForcibly();
      assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
    }
    // Acks printed before the kill may still be in the pipe: they count too.
    for (String line = lines.poll(30, TimeUnit.SECONDS); !END_OF_OUTPUT.equals(line);
        line = lines.poll(30, TimeUnit.SECONDS)) {
      assertTrue(line != null, "stdout of the killed writer did not end");
      acks += recordAck(line, acked);
    }
    System.out.printf("crash: %d acks over %d persistence ids before SIGKILL%n", acks, acked.size());

    ActorSystem system = ActorSystem.create("crash-check", TestStores.config(dir));
    try {
      RocksDbReadJournal queries = PersistenceQuery.get(system)
          .getReadJournalFor(RocksDbReadJournal.class, RocksDbReadJournal.IDENTIFIER);
      for (Map.Entry<String, Long> entry : acked.entrySet()) {
        String persistenceId = entry.getKey();
        List<EventEnvelope> stored = queries
            .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
        assertTrue(stored.size() >= entry.getValue(),
            () -> persistenceId + ": acked up to " + entry.getValue() + ", stored " + stored.size());
        for (int i = 0; i < stored.size(); i++) {
          long seqNr = i + 1;
          assertEquals(seqNr, stored.get(i).sequenceNr());
          assertEquals(persistenceId + "-" + seqNr, stored.get(i).event());
        }
      }
    } finally {
      TestKit.shutdownActorSystem(system, scala.concurrent.duration.Duration.create(30, "s"));
    }
  }

  private static int recordAck(String line, Map<String, Long> acked) {
    String[] parts = line.split(" ");
    if (parts.length != 3 || !parts[0].equals("ack")) {
      return 0;
    }
    long seqNr = Long.parseLong(parts[2]);
    Long previous = acked.put(parts[1], seqNr);
    assertEquals(previous == null ? 1L : previous + 1, seqNr, "acks of " + parts[1] + " out of order");
    return 1;
  }

  private static void pump(Process process, BlockingQueue<String> lines) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      lines.add(END_OF_OUTPUT);
    }
  }
}
