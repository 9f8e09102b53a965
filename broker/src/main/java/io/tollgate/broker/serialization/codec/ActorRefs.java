package io.tollgate.broker.serialization.codec;

import org.apache.pekko.actor.typed.ActorRef;

/** How actor refs travel inside Protobuf messages: as text, resolved back on the receiving node. */
public interface ActorRefs {
  String text(ActorRef<?> ref);

  <T> ActorRef<T> ref(String text);
}
