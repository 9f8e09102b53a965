package io.tollgate.broker.serialization.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.tollgate.protocols.v1.cluster.ReplyOnlyRequest;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One message type's Protobuf form: the stable manifest stored data names it by, the Java
 * type it covers (a sealed interface covers all its records), and the mapping both ways.
 * Declaring one is all it takes for {@code BrokerSerializer} to serialize the type.
 *
 * @param <T> the Java type actors send or journals store
 * @param <P> its Protobuf form
 */
public record MessageCodec<T, P extends MessageLite>(String manifest, Class<T> type, Parser<P> parser,
                                                     Encoder<T, P> encoder, Decoder<P, T> decoder) {
  @FunctionalInterface
  public interface Encoder<T, P> {
    P encode(T message, ActorRefs refs);
  }

  @FunctionalInterface
  public interface Decoder<P, T> {
    T decode(P proto, ActorRefs refs);
  }

  public static <T, P extends MessageLite> MessageCodec<T, P> of(String manifest, Class<T> type, Parser<P> parser,
                                                                 Encoder<T, P> encoder, Decoder<P, T> decoder) {
    return new MessageCodec<>(manifest, type, parser, encoder, decoder);
  }

  /**
   * A journal event or snapshot (or a cluster message) that is a generated Protobuf message
   * itself: stored as it is, named by its message name.
   */
  @SuppressWarnings("unchecked")
  public static <P extends Message> MessageCodec<P, P> stored(P prototype) {
    return new MessageCodec<>(prototype.getDescriptorForType().getName(), (Class<P>) prototype.getClass(),
        (Parser<P>) prototype.getParserForType(), (message, refs) -> message, (proto, refs) -> proto);
  }

  /** A request that carries nothing but where to reply. */
  public static <T, R> MessageCodec<T, ReplyOnlyRequest> replyOnly(String manifest, Class<T> type,
                                                                   Function<T, ActorRef<R>> replyTo,
                                                                   Function<ActorRef<R>, T> create) {
    return new MessageCodec<>(manifest, type, ReplyOnlyRequest.parser(),
        (message, refs) -> ReplyOnlyRequest.newBuilder().setReplyTo(refs.text(replyTo.apply(message))).build(),
        (proto, refs) -> create.apply(refs.ref(proto.getReplyTo())));
  }

  public byte[] toBinary(Object message, ActorRefs refs) {
    return encoder.encode(type.cast(message), refs).toByteArray();
  }

  public T fromBinary(byte[] bytes, ActorRefs refs) throws InvalidProtocolBufferException {
    return decoder.decode(parser.parseFrom(bytes), refs);
  }
}
