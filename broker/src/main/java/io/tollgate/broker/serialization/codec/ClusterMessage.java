package io.tollgate.broker.serialization.codec;

/**
 * A record that actors send each other and that may cross nodes. node.conf binds this one
 * interface to {@code BrokerSerializer}, so a new message needs no binding of its own: its
 * family (a sealed {@code Command} or reply interface) extends this, and its
 * {@link MessageCodec} says how it becomes Protobuf.
 */
public interface ClusterMessage {}
