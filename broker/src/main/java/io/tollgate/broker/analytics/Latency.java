package io.tollgate.broker.analytics;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Publish-to-delivery latencies of a bucket, in milliseconds, as an HdrHistogram kept in its
 * compressed encoding: a minute of one key costs tens of bytes instead of the histogram's
 * kilobytes of counts. Histograms of the same range and precision add exactly, so the
 * percentiles of an hour are those of its minutes' deliveries together, not an average of
 * percentiles.
 */
public final class Latency {
  /** Up to an hour, to 2 significant digits; a longer latency is counted as an hour. */
  static final long HIGHEST_MILLIS = 3_600_000L;
  private static final int DIGITS = 2;
  public static final Latency NONE = new Latency(ByteString.EMPTY);

  private final ByteString encoded;

  private Latency(ByteString encoded) {
    this.encoded = encoded;
  }

  public static Latency fromEncoded(ByteString encoded) {
    return encoded.isEmpty() ? NONE : new Latency(encoded);
  }

  public static Histogram newHistogram() {
    return new Histogram(HIGHEST_MILLIS, DIGITS);
  }

  /** One latency per value. */
  public static Latency of(long... millis) {
    Histogram histogram = newHistogram();
    for (long value : millis) {
      record(histogram, value);
    }
    return of(histogram);
  }

  public static void record(Histogram histogram, long millis) {
    histogram.recordValue(clamp(millis));
  }

  /** A latency as it is counted: none below 0 ms, and an hour at most. */
  static long clamp(long millis) {
    return Math.max(0, Math.min(HIGHEST_MILLIS, millis));
  }

  public static Latency of(Histogram histogram) {
    if (histogram.getTotalCount() == 0) {
      return NONE;
    }
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return new Latency(ByteString.copyFrom(buffer.array(), 0, length));
  }

  public ByteString encoded() {
    return encoded;
  }

  public boolean isEmpty() {
    return encoded.isEmpty();
  }

  /** A new histogram with this one's counts. */
  public Histogram histogram() {
    Histogram histogram = newHistogram();
    addTo(histogram);
    return histogram;
  }

  void addTo(Histogram sum) {
    if (isEmpty()) {
      return;
    }
    try {
      sum.add(Histogram.decodeFromCompressedByteBuffer(encoded.asReadOnlyByteBuffer(), HIGHEST_MILLIS));
    } catch (DataFormatException e) {
      throw new IllegalStateException("a stored latency histogram does not decode", e);
    }
  }

  public Latency plus(Latency other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    Histogram sum = histogram();
    other.addTo(sum);
    return of(sum);
  }

  /** All of them added, decoding each once. */
  public static Latency sum(Collection<Latency> latencies) {
    Histogram sum = newHistogram();
    latencies.forEach(latency -> latency.addTo(sum));
    return of(sum);
  }

  public long count() {
    return isEmpty() ? 0 : histogram().getTotalCount();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Latency that && (encoded.equals(that.encoded) || histogram().equals(that.histogram()));
  }

  @Override
  public int hashCode() {
    return Long.hashCode(count());
  }

  @Override
  public String toString() {
    return "Latency[count=" + count() + "]";
  }
}
