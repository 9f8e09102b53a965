package io.tollgate.broker.webhook;

import io.tollgate.broker.catalog.Catalog;
import io.tollgate.broker.session.Credential;
import io.tollgate.broker.subscription.Delivery;
import io.tollgate.broker.subscription.StreamSession;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Where a webhook worker reads its subscription's events and commits what its endpoint
 * acknowledged: the path stream sessions take ({@link StreamSession#openFeed}), so webhooks get
 * the same cursors, filters, redaction, plan limits and billing as WebSocket streams. A small
 * interface, so that the worker does not depend on how streams read or commit.
 */
public interface DeliveryFeed {
  /** What the session sends: events, or a notice (quota used up, plan changed, replaced) before it ends. */
  sealed interface Item {}

  record Events(List<Delivery> deliveries) implements Item {}

  record Notice(String type, String code, String message) implements Item {}

  /** An open feed: its items, and the sink of acks (run once), each the cursor of an acknowledged event. */
  record Opened(Source<Item, NotUsed> items, Sink<StreamSession.FeedAck, NotUsed> acks) {}

  CompletionStage<Opened> open(Catalog catalog, Catalog.Subscription subscription);

  /** The feed of stream sessions, registered as webhook sessions of the endpoint's host. */
  static DeliveryFeed of(StreamSession streams) {
    StreamSession.Frames<Item> frames = new StreamSession.Frames<>() {
      @Override
      public Item deliveries(List<Delivery> deliveries) {
        return new Events(deliveries);
      }

      @Override
      public Item notice(String type, String code, String message) {
        return new Notice(type, code, message);
      }
    };
    return (catalog, subscription) -> {
      String host = catalog.webhook(subscription.id()).map(endpoint -> java.net.URI.create(endpoint.url()).getHost())
          .orElse("webhook");
      return streams.openFeed(catalog, subscription, frames, new Credential.Webhook(subscription.id()), host)
          .thenApply(feed -> new Opened(feed.outbound(), feed.acks()));
    };
  }
}
