package io.tollgate.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * What a broker costs, read from outside: its heap, CPU seconds and open streams from its
 * {@code /metrics} (Prometheus text, no key needed), and, when its process id is known (it runs
 * on this machine), its resident set from {@code /proc/<pid>/status}; with the pid, a full GC is
 * asked for first ({@code jcmd <pid> GC.run}) so that the heap is what is live, not garbage.
 */
final class BrokerGauges {
  /** One reading; -1 where the broker did not say. */
  record Reading(long heapUsedBytes, double cpuSeconds, long openStreams, long residentBytes, long atNanos) {
    /** The broker's CPU between two readings, in percent of one core. */
    double cpuPercentSince(Reading earlier) {
      return (cpuSeconds - earlier.cpuSeconds) / ((atNanos - earlier.atNanos) / 1e9) * 100;
    }
  }

  private final HttpClient http;
  private final URI metrics;
  private final Long pid;

  BrokerGauges(HttpClient http, URI baseUrl, Long pid) {
    this.http = http;
    this.metrics = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/metrics");
    this.pid = pid;
  }

  /** Reads the broker now; {@code collectFirst}: with a pid, a full GC first so the heap is the live set. */
  Reading read(boolean collectFirst) throws InterruptedException {
    if (collectFirst && pid != null) {
      fullGc();
    }
    String text;
    try {
      text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + metrics + ": " + Cli.describe(e), e);
    }
    return new Reading((long) sample(text, "jvm_memory_used_bytes{area=\"heap\"}").orElse(-1),
        sample(text, "process_cpu_seconds_total").orElse(-1),
        (long) sample(text, "tollgate_open_streams").orElse(-1),
        pid == null ? -1 : residentBytes(pid), System.nanoTime());
  }

  /** The value of the sample written exactly {@code series} (name and labels) in Prometheus text. */
  static OptionalDouble sample(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return OptionalDouble.of(Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]));
      }
    }
    return OptionalDouble.empty();
  }

  /** {@code VmRSS} of a {@code /proc/<pid>/status}, in bytes; -1 when it has none. */
  static long residentBytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return -1;
  }

  private static long residentBytes(long pid) {
    try {
      return residentBytes(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
    } catch (IOException e) {
      return -1;
    }
  }

  private void fullGc() throws InterruptedException {
    try {
      Process jcmd = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!jcmd.waitFor(60, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run jcmd " + pid + " GC.run: " + Cli.describe(e), e);
    }
  }
}
