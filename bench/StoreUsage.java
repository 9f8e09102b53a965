import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * What holds an embedded store's data, by kind of journal (the persistence id up to its first
 * '|'): entries and bytes (key and value as stored, before compression) in the journal and
 * snapshot column families, and the persistence ids holding most. Opens the store read-only, so
 * it may run beside the node that writes it.
 *
 *   java -cp 'LIB_DIR/*' bench/StoreUsage.java DATA_DIR/store
 *
 * Prints one JSON line. The key layout is persistence's Keys: [id: 8 bytes][sequenceNr: 8 bytes],
 * and 'p' + persistenceId -> id in the meta family.
 */
public class StoreUsage {
  public static void main(String[] args) throws Exception {
    RocksDB.loadLibrary();
    List<ColumnFamilyDescriptor> families = new ArrayList<>();
    for (String name : List.of("default", "journal", "snapshots", "meta")) {
      families.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.openReadOnly(options, args[0], families, handles)) {
      Map<Long, String> persistenceIds = new HashMap<>();
      try (RocksIterator meta = db.newIterator(handles.get(3))) {
        for (meta.seekToFirst(); meta.isValid(); meta.next()) {
          byte[] key = meta.key();
          if (key.length > 0 && key[0] == 'p') {
            persistenceIds.put(ByteBuffer.wrap(meta.value()).getLong(),
                new String(key, 1, key.length - 1, StandardCharsets.UTF_8));
          }
        }
      }
      StringBuilder json = new StringBuilder("{\"type\":\"store_usage\"");
      for (int family = 1; family <= 2; family++) {
        Map<String, long[]> byKind = new TreeMap<>();
        Map<String, long[]> byId = new HashMap<>();
        try (RocksIterator entries = db.newIterator(handles.get(family))) {
          for (entries.seekToFirst(); entries.isValid(); entries.next()) {
            byte[] key = entries.key();
            long id = ByteBuffer.wrap(key, 0, 8).getLong();
            String persistenceId = persistenceIds.getOrDefault(id, "unknown-" + id);
            int bar = persistenceId.indexOf('|');
            long bytes = key.length + entries.value().length;
            add(byKind.computeIfAbsent(bar > 0 ? persistenceId.substring(0, bar) : persistenceId, k -> new long[2]), bytes);
            add(byId.computeIfAbsent(persistenceId, k -> new long[2]), bytes);
          }
        }
        json.append(",\"").append(family == 1 ? "journal" : "snapshots").append("\":{")
            .append(byKind.entrySet().stream().map(e -> entry(e.getKey(), e.getValue())).collect(Collectors.joining(",")))
            .append("},\"").append(family == 1 ? "journal" : "snapshots").append("_largest\":{")
            .append(byId.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(5)
                .map(e -> entry(e.getKey(), e.getValue())).collect(Collectors.joining(",")))
            .append('}');
      }
      System.out.println(json.append('}'));
    }
  }

  private static void add(long[] totals, long bytes) {
    totals[0]++;
    totals[1] += bytes;
  }

  private static String entry(String name, long[] totals) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\":{\"entries\":" + totals[0]
        + ",\"bytes\":" + totals[1] + "}";
  }
}
