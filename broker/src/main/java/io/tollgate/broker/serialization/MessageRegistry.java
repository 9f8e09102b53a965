package io.tollgate.broker.serialization;

import io.tollgate.broker.serialization.codec.MessageCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The declared message types, looked up by manifest and by class. It refuses, when it is
 * built, a manifest declared twice and a class that two declarations would cover, so a
 * clash stops the node at start instead of writing data that replays as the wrong type.
 */
public final class MessageRegistry {
  private final List<MessageCodec<?, ?>> codecs;
  private final Map<String, MessageCodec<?, ?>> byManifest;
  private final ClassValue<MessageCodec<?, ?>> byClass = new ClassValue<>() {
    @Override
    protected MessageCodec<?, ?> computeValue(Class<?> type) {
      List<MessageCodec<?, ?>> covering = codecs.stream().filter(codec -> codec.type().isAssignableFrom(type)).toList();
      if (covering.size() > 1) {
        throw new IllegalArgumentException(type.getName() + " is covered by more than one declaration: "
            + covering.stream().map(MessageCodec::manifest).toList());
      }
      return covering.isEmpty() ? null : covering.get(0);
    }
  };

  private MessageRegistry(List<MessageCodec<?, ?>> codecs, Map<String, MessageCodec<?, ?>> byManifest) {
    this.codecs = codecs;
    this.byManifest = byManifest;
  }

  public static MessageRegistry of(List<List<MessageCodec<?, ?>>> groups) {
    List<MessageCodec<?, ?>> codecs = new ArrayList<>();
    groups.forEach(codecs::addAll);
    Map<String, MessageCodec<?, ?>> byManifest = new HashMap<>();
    for (MessageCodec<?, ?> codec : codecs) {
      MessageCodec<?, ?> earlier = byManifest.putIfAbsent(codec.manifest(), codec);
      if (earlier != null) {
        throw new IllegalStateException("manifest " + codec.manifest() + " is declared twice: for "
            + earlier.type().getName() + " and " + codec.type().getName());
      }
    }
    for (MessageCodec<?, ?> codec : codecs) {
      for (MessageCodec<?, ?> other : codecs) {
        if (codec != other && codec.type().isAssignableFrom(other.type())) {
          throw new IllegalStateException(other.type().getName() + " is declared twice: as " + other.manifest()
              + " and, through " + codec.type().getName() + ", as " + codec.manifest());
        }
      }
    }
    return new MessageRegistry(List.copyOf(codecs), Map.copyOf(byManifest));
  }

  public List<MessageCodec<?, ?>> codecs() {
    return codecs;
  }

  /** The declaration covering this class, or null. */
  public MessageCodec<?, ?> forClass(Class<?> type) {
    return byClass.get(type);
  }

  /** The declaration of this manifest, or null. */
  public MessageCodec<?, ?> forManifest(String manifest) {
    return byManifest.get(manifest);
  }
}
