package io.tollgate.broker.serialization;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import io.tollgate.billing.Money;
import io.tollgate.broker.analytics.AnalyticsReadSide;
import io.tollgate.broker.analytics.Dimension;
import io.tollgate.broker.analytics.Latency;
import io.tollgate.broker.analytics.Resolution;
import io.tollgate.broker.analytics.Rollup;
import io.tollgate.broker.subscription.SubscriptionEntity;
import io.tollgate.broker.position.AckPoint;
import io.tollgate.broker.position.Cursor;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Builds an example of any declared message type from the type alone: records from their
 * components, Protobuf messages with every field set, every record of a sealed interface.
 * Each value is different from the others, so a mapping that swaps two fields shows.
 */
final class MessageExamples {
  /**
   * Records whose fields must agree with each other, which values built field by field would
   * not: the acked points of {@code Attached} are keyed by their own partition.
   */
  private static final Map<Class<?>, Function<MessageExamples, Object>> CONSISTENT = Map.of(
      SubscriptionEntity.Attached.class, examples -> {
        AckPoint point = new AckPoint(new Cursor("orders", 3, 41, 2), 97);
        return new SubscriptionEntity.Attached(Map.of(point.partition(), point), "2026-11", 12, false,
            java.util.Optional.of(examples.ref.unsafeUpcast()));
      },
      AnalyticsReadSide.Written.class, examples -> new AnalyticsReadSide.Written(
          Set.of("Subscription|sub_a", "AccountBilling|acc_b", "Partition|orders|3")),
      AnalyticsReadSide.Query.class, examples -> new AnalyticsReadSide.Query(Dimension.PLANS,
          java.util.Optional.of(Set.of("plan_a", "plan_b")), 1_000, 3_600_000, Resolution.HOUR, examples.ref.unsafeUpcast()),
      AnalyticsReadSide.Series.class, examples -> new AnalyticsReadSide.Series(Map.of("orders",
          new java.util.TreeMap<>(Map.of(60_000L, Rollup.published(3, 300).merge(Rollup.lag(2, 9))
              .merge(Rollup.charge("USD", new java.math.BigDecimal("1.25"))),
              120_000L, Rollup.acknowledged(5).merge(new Rollup(0, 0, 7, 70, 0, 1, 2, 3, 4, 0, 0,
                  Latency.of(3, 40, 900), new java.util.TreeMap<>(), new java.util.TreeMap<>())))))));

  private final ActorRef<Object> ref;
  private int next = 1;

  MessageExamples(ActorRef<Object> ref) {
    this.ref = ref;
  }

  /** One example per concrete type the declared type covers. */
  List<Object> of(Class<?> declared) {
    if (declared.isSealed()) {
      List<Object> examples = new ArrayList<>();
      for (Class<?> permitted : declared.getPermittedSubclasses()) {
        examples.addAll(of(permitted));
      }
      return examples;
    }
    return List.of(value(declared));
  }

  private Object value(Type type) {
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] arguments = parameterized.getActualTypeArguments();
      if (raw == List.class) {
        return List.of(value(arguments[0]));
      }
      if (raw == java.util.Optional.class) {
        return java.util.Optional.of(value(arguments[0]));
      }
      if (raw == Map.class) {
        return Map.of(value(arguments[0]), value(arguments[1]));
      }
      if (raw == ActorRef.class) {
        return ref;
      }
      throw new IllegalArgumentException("no example for " + type);
    }
    Class<?> raw = (Class<?>) type;
    int n = next++;
    if (CONSISTENT.containsKey(raw)) {
      return CONSISTENT.get(raw).apply(this);
    }
    if (raw == String.class) {
      return "text-" + n;
    }
    if (raw == long.class || raw == Long.class) {
      return 1_000L + n;
    }
    if (raw == int.class || raw == Integer.class) {
      return 100 + n;
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return true;
    }
    if (raw == Instant.class) {
      return Instant.ofEpochMilli(1_790_000_000_000L + n * 1_000L);
    }
    if (raw == Currency.class) {
      return Currency.getInstance("EUR");
    }
    if (raw == Money.class) {
      return Money.of(n + ".25", "EUR");
    }
    if (raw.isEnum()) {
      Object[] constants = raw.getEnumConstants();
      return constants[n % constants.length];
    }
    if (Message.class.isAssignableFrom(raw)) {
      return protobuf(raw);
    }
    if (raw.isRecord()) {
      return record(raw);
    }
    if (raw.isSealed()) {
      Class<?>[] permitted = raw.getPermittedSubclasses();
      return value(permitted[n % permitted.length]);
    }
    throw new IllegalArgumentException("no example for " + type + ": teach MessageExamples its values");
  }

  private Object record(Class<?> type) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      values[i] = value(components[i].getGenericType());
    }
    try {
      Constructor<?> canonical = type.getDeclaredConstructor(
          Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      canonical.setAccessible(true);
      return canonical.newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getName(), e);
    }
  }

  private Message protobuf(Class<?> type) {
    try {
      Message prototype = (Message) type.getMethod("getDefaultInstance").invoke(null);
      return filled(prototype.newBuilderForType(), 0).build();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + type.getName(), e);
    }
  }

  /** Every field set (the first of each oneof), nested messages down to a few levels. */
  private Message.Builder filled(Message.Builder builder, int depth) {
    Set<OneofDescriptor> oneofsSeen = new HashSet<>();
    for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != null && !oneofsSeen.add(oneof)) {
        continue;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= 4) {
        continue;
      }
      Object value = fieldValue(builder, field, depth);
      if (field.isRepeated()) {
        builder.addRepeatedField(field, value);
      } else {
        builder.setField(field, value);
      }
    }
    return builder;
  }

  private Object fieldValue(Message.Builder builder, FieldDescriptor field, int depth) {
    int n = next++;
    return switch (field.getJavaType()) {
      case STRING -> "text-" + n;
      case INT -> 100 + n;
      case LONG -> 1_000L + n;
      case BOOLEAN -> true;
      case FLOAT -> n + 0.5f;
      case DOUBLE -> n + 0.5;
      case BYTE_STRING -> ByteString.copyFromUtf8("bytes-" + n);
      case ENUM -> field.getEnumType().getValues().get(field.getEnumType().getValues().size() - 1);
      case MESSAGE -> filled(builder.newBuilderForField(field), depth + 1).build();
    };
  }
}
