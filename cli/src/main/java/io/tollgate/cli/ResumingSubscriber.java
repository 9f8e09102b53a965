package io.tollgate.cli;

import io.tollgate.client.Subscriber;
import io.tollgate.client.TollgateException;
import java.net.URI;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A consumer as an application writes one: whenever its stream ends, for any reason, it opens it
 * again, and the broker resumes after the last acknowledged event. The SDK's subscriber acks each
 * frame once the handler has taken its events. Every delivery goes to a {@link DeliveryLedger}
 * with the number of the connection it came on.
 */
final class ResumingSubscriber implements AutoCloseable {
  private static final long RECONNECT_AFTER_CLOSE_MILLIS = 100;
  private static final long RECONNECT_AFTER_REFUSAL_MILLIS = 200;
  private final URI baseUrl;
  private final String key;
  private final String subscription;
  private final DeliveryLedger ledger;
  /** Per connection: when its first event arrived. */
  private final Map<Integer, Long> firstDelivery = new ConcurrentHashMap<>();
  private final ScheduledExecutorService reconnects = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "crashloop-consumer");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean closing;
  private volatile Subscriber current;
  private volatile int connections;

  ResumingSubscriber(URI baseUrl, String key, String subscription, DeliveryLedger ledger) {
    this.baseUrl = baseUrl;
    this.key = key;
    this.subscription = subscription;
    this.ledger = ledger;
    reconnects.execute(this::connect);
  }

  private void connect() {
    if (closing) {
      return;
    }
    int connection = ++connections;
    try {
      Subscriber subscriber = Subscriber.builder(baseUrl, key, subscription)
          .onDelivery(delivery -> {
            firstDelivery.putIfAbsent(connection, System.nanoTime());
            ledger.record(connection, CrashLoop.eventNumber(delivery.event().getId()), delivery.partition(), delivery.offset());
          })
          .connect();
      current = subscriber;
      subscriber.closed().whenComplete((done, failure) ->
          reconnects.schedule(this::connect, RECONNECT_AFTER_CLOSE_MILLIS, TimeUnit.MILLISECONDS));
    } catch (TollgateException refused) {
      reconnects.schedule(this::connect, RECONNECT_AFTER_REFUSAL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** When an event first arrived after {@code nanos} on a connection that had none before, if one has. */
  OptionalLong firstDeliveryAfter(long nanos) {
    return firstDelivery.values().stream().mapToLong(Long::longValue).filter(at -> at - nanos > 0).min();
  }

  /** Connections tried so far, refused ones included: each has its own number in the ledger. */
  int connectionAttempts() {
    return connections;
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    reconnects.shutdown();
    reconnects.awaitTermination(10, TimeUnit.SECONDS);
    Subscriber last = current;
    if (last != null) {
      last.close();
    }
  }
}
