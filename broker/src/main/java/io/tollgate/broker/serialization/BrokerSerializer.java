package io.tollgate.broker.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tollgate.broker.invoicing.BillingMessages;
import io.tollgate.broker.catalog.CatalogMessages;
import io.tollgate.broker.serialization.codec.ActorRefs;
import io.tollgate.broker.serialization.codec.MessageCodec;
import io.tollgate.broker.session.SessionMessages;
import io.tollgate.broker.subscription.SubscriptionMessages;
import io.tollgate.broker.topic.TopicMessages;
import io.tollgate.broker.webhook.WebhookMessages;
import java.io.NotSerializableException;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Protobuf for everything the broker journals and everything its actors send each other,
 * as declared by each package's {@link MessageCodec}s ({@code TopicMessages},
 * {@code CatalogMessages}, {@code SubscriptionMessages}, {@code BillingMessages}).
 * Manifests are short stable names, never class names, so classes can be renamed or moved
 * without breaking stored data.
 */
public final class BrokerSerializer extends SerializerWithStringManifest {
  /** Fixed forever: stored data names the serializer by this number. */
  public static final int IDENTIFIER = 7_300_001;

  /** Every declared message type; a clash fails here, when the node starts. */
  public static final MessageRegistry MESSAGES = MessageRegistry.of(List.of(
      TopicMessages.CODECS, CatalogMessages.CODECS, SubscriptionMessages.CODECS, BillingMessages.CODECS,
      SessionMessages.CODECS, io.tollgate.broker.analytics.AnalyticsMessages.CODECS, WebhookMessages.CODECS,
      io.tollgate.broker.audit.AuditMessages.CODECS,
      io.tollgate.broker.invoicing.verification.VerificationMessages.CODECS));

  private final ExtendedActorSystem system;
  private final ActorRefs refs = new ActorRefs() {
    @Override
    public String text(ActorRef<?> ref) {
      return resolver().toSerializationFormat(ref);
    }

    @Override
    public <T> ActorRef<T> ref(String text) {
      return resolver().resolveActorRef(text);
    }
  };
  private volatile ActorRefResolver resolver;

  public BrokerSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  private ActorRefResolver resolver() {
    if (resolver == null) {
      resolver = ActorRefResolver.get(Adapter.toTyped(system));
    }
    return resolver;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object message) {
    return codecOf(message).manifest();
  }

  @Override
  public byte[] toBinary(Object message) {
    return codecOf(message).toBinary(message, refs);
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    MessageCodec<?, ?> codec = MESSAGES.forManifest(manifest);
    if (codec == null) {
      throw new NotSerializableException("unknown manifest " + manifest);
    }
    try {
      return codec.fromBinary(bytes, refs);
    } catch (InvalidProtocolBufferException e) {
      NotSerializableException failure = new NotSerializableException("corrupt " + manifest + ": " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }

  private static MessageCodec<?, ?> codecOf(Object message) {
    MessageCodec<?, ?> codec = MESSAGES.forClass(message.getClass());
    if (codec == null) {
      throw new IllegalArgumentException("no Protobuf mapping for " + message.getClass().getName());
    }
    return codec;
  }
}
