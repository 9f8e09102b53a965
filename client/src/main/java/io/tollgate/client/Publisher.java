package io.tollgate.client;

import io.tollgate.protocols.v1.CloudEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Publishes events to a topic; {@link TcpPublisher} and {@link HttpPublisher} are the two transports. */
public interface Publisher extends AutoCloseable {
  /**
   * Sends the events as one publish; the future completes once the broker has stored them
   * durably, or fails with a {@link TollgateException}.
   */
  CompletableFuture<PublishResult> publish(String topic, List<CloudEvent> events);

  /** {@link #publish} and wait for the reply; a failure is thrown as the {@link TollgateException} itself. */
  default PublishResult publishAndWait(String topic, List<CloudEvent> events) {
    try {
      return publish(topic, events).get();
    } catch (InterruptedException e) {
      throw TollgateException.interrupted(e);
    } catch (ExecutionException e) {
      throw TollgateException.unwrap(e.getCause());
    }
  }

  /**
   * Whether a publish after a lost connection goes out on a new one, so that a publish that failed
   * with {@code connection_closed} is worth sending again
   * ({@link BatchingPublisher} does): true for HTTP and {@link ReconnectingPublisher}, false for a
   * bare {@link TcpPublisher}, whose connection once lost stays lost.
   */
  default boolean reconnects() {
    return false;
  }

  @Override
  void close();
}
