package io.tollgate.broker.serialization;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.UnknownFieldSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Protobuf rules for evolving a schema say, checked between two sets of descriptors:
 * a message or enum of the old set is still declared, under the same full name; each of its
 * fields keeps its number, type and cardinality (a name may change: the wire never carries
 * it), or its number is reserved; each enum value keeps its number. A node that reads with the
 * old descriptors then reads every field it knew from what a node of the new ones writes.
 */
final class DescriptorCompatibility {
  private DescriptorCompatibility() {}

  /** Every way {@code current} breaks what a reader of {@code old} relies on; empty when none. */
  static List<String> breaks(Collection<FileDescriptor> old, Collection<FileDescriptor> current) {
    Map<String, Descriptor> currentMessages = messagesOf(current);
    Map<String, EnumDescriptor> currentEnums = enumsOf(current);
    List<String> breaks = new ArrayList<>();
    messagesOf(old).forEach((name, oldMessage) -> {
      Descriptor now = currentMessages.get(name);
      if (now == null) {
        breaks.add("message " + name + " is no longer declared");
        return;
      }
      for (FieldDescriptor field : oldMessage.getFields()) {
        FieldDescriptor same = now.findFieldByNumber(field.getNumber());
        String where = name + " field " + field.getNumber() + " (" + field.getName() + ")";
        if (same == null) {
          if (!isReserved(now.toProto(), field.getNumber())) {
            breaks.add(where + " was removed without reserving its number");
          }
        } else if (same.getType() != field.getType()) {
          breaks.add(where + " changed its type from " + field.getType() + " to " + same.getType());
        } else if (same.isRepeated() != field.isRepeated()) {
          breaks.add(where + " changed between single and repeated");
        } else if (field.getType() == FieldDescriptor.Type.MESSAGE
            && !same.getMessageType().getFullName().equals(field.getMessageType().getFullName())) {
          breaks.add(where + " changed its message type from " + field.getMessageType().getFullName()
              + " to " + same.getMessageType().getFullName());
        } else if (field.getType() == FieldDescriptor.Type.ENUM
            && !same.getEnumType().getFullName().equals(field.getEnumType().getFullName())) {
          breaks.add(where + " changed its enum type from " + field.getEnumType().getFullName()
              + " to " + same.getEnumType().getFullName());
        }
      }
    });
    enumsOf(old).forEach((name, oldEnum) -> {
      EnumDescriptor now = currentEnums.get(name);
      if (now == null) {
        breaks.add("enum " + name + " is no longer declared");
        return;
      }
      for (EnumValueDescriptor value : oldEnum.getValues()) {
        EnumValueDescriptor same = now.findValueByNumber(value.getNumber());
        if (same == null && now.findValueByName(value.getName()) != null) {
          breaks.add("enum " + name + " value " + value.getName() + " changed its number from " + value.getNumber());
        }
      }
    });
    return breaks;
  }

  /** The fields of {@code message} that a reader of its descriptor knew by number but could not read: retyped. */
  static List<String> unreadableKnownFields(Message message) {
    List<String> unreadable = new ArrayList<>();
    collectUnreadable(message, message.getDescriptorForType().getFullName(), unreadable);
    return unreadable;
  }

  private static void collectUnreadable(Message message, String path, List<String> unreadable) {
    for (int number : message.getUnknownFields().asMap().keySet()) {
      if (message.getDescriptorForType().findFieldByNumber(number) != null) {
        unreadable.add(path + " field " + number);
      }
    }
    message.getAllFields().forEach((field, value) -> {
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        return;
      }
      List<?> values = field.isRepeated() ? (List<?>) value : List.of(value);
      for (Object nested : values) {
        collectUnreadable((Message) nested, path + "." + field.getName(), unreadable);
      }
    });
  }

  /**
   * {@code message} as a reader of its descriptor keeps it: without the fields it does not know,
   * and with repeated fields in one order, since sets and maps are written in whatever order
   * their Java collection iterates.
   */
  static DynamicMessage asKnown(Message message) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(message.getDescriptorForType());
    message.getAllFields().forEach((field, value) -> {
      if (field.isRepeated()) {
        List<Object> values = new ArrayList<>();
        for (Object element : (List<?>) value) {
          values.add(element instanceof Message nested ? asKnown(nested) : element);
        }
        values.sort(Comparator.comparing(DescriptorCompatibility::sortKey));
        values.forEach(element -> builder.addRepeatedField(field, element));
      } else {
        builder.setField(field, value instanceof Message nested ? asKnown(nested) : value);
      }
    });
    builder.setUnknownFields(UnknownFieldSet.getDefaultInstance());
    return builder.build();
  }

  private static String sortKey(Object element) {
    if (element instanceof Message message) {
      return TextFormat.printer().printToString(message);
    }
    return element instanceof ByteString bytes ? bytes.toStringUtf8() : element.toString();
  }

  /** The files of a FileDescriptorSet written dependencies first, as {@link #setOf} writes it. */
  static Map<String, FileDescriptor> filesOf(FileDescriptorSet set) throws DescriptorValidationException {
    Map<String, FileDescriptor> built = new LinkedHashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      FileDescriptor[] dependencies = file.getDependencyList().stream().map(built::get).toArray(FileDescriptor[]::new);
      built.put(file.getName(), FileDescriptor.buildFrom(file, dependencies));
    }
    return built;
  }

  /** The files and everything they import, as one FileDescriptorSet. */
  static FileDescriptorSet setOf(Collection<FileDescriptor> files) {
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    withDependencies(files).forEach(file -> set.addFile(file.toProto()));
    return set.build();
  }

  /** The files and everything they import, dependencies first. */
  static Collection<FileDescriptor> withDependencies(Collection<FileDescriptor> files) {
    Map<String, FileDescriptor> ordered = new LinkedHashMap<>();
    files.forEach(file -> addWithDependencies(file, ordered));
    return ordered.values();
  }

  private static void addWithDependencies(FileDescriptor file, Map<String, FileDescriptor> ordered) {
    if (ordered.containsKey(file.getName())) {
      return;
    }
    file.getDependencies().forEach(dependency -> addWithDependencies(dependency, ordered));
    ordered.put(file.getName(), file);
  }

  private static boolean isReserved(DescriptorProto message, int number) {
    return message.getReservedRangeList().stream().anyMatch(range -> number >= range.getStart() && number < range.getEnd());
  }

  private static Map<String, Descriptor> messagesOf(Collection<FileDescriptor> files) {
    Map<String, Descriptor> messages = new HashMap<>();
    for (FileDescriptor file : files) {
      file.getMessageTypes().forEach(message -> addMessage(message, messages));
    }
    return messages;
  }

  private static void addMessage(Descriptor message, Map<String, Descriptor> messages) {
    messages.put(message.getFullName(), message);
    message.getNestedTypes().forEach(nested -> addMessage(nested, messages));
  }

  private static Map<String, EnumDescriptor> enumsOf(Collection<FileDescriptor> files) {
    Map<String, EnumDescriptor> enums = new HashMap<>();
    for (Descriptor message : messagesOf(files).values()) {
      message.getEnumTypes().forEach(type -> enums.put(type.getFullName(), type));
    }
    for (FileDescriptor file : files) {
      file.getEnumTypes().forEach(type -> enums.put(type.getFullName(), type));
    }
    return enums;
  }
}
