package io.tollgate.persistence.rocksdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key layout of the store.
 *
 * <p>Journal and snapshot keys are {@code [persistence key id: 8 bytes][sequenceNr: 8 bytes]}, both
 * big-endian, so RocksDB's bytewise order is (persistenceId, sequenceNr) order and every
 * per-persistenceId range is one contiguous, cheap-to-seek run. The 8-byte id replaces the
 * persistenceId string, which would otherwise be repeated in every event key.
 *
 * <p>The metadata family holds the persistenceId to id mapping ({@code 'p' + pid}), the highest
 * sequence number per id ({@code 'h' + id}) and the id counter ({@code 'n'}).
 */
final class Keys {

  static final int EVENT_KEY_LENGTH = 16;

  private static final byte PERSISTENCE_ID_PREFIX = 'p';
  private static final byte HIGHEST_SEQUENCE_NR_PREFIX = 'h';
  static final byte[] NEXT_ID = {'n'};

  private Keys() {}

  static byte[] entry(long id, long sequenceNr) {
    return ByteBuffer.allocate(EVENT_KEY_LENGTH).putLong(id).putLong(sequenceNr).array();
  }

  /** Exclusive upper bound of the entries of {@code id} up to and including {@code toSequenceNr}. */
  static byte[] entryUpperBound(long id, long toSequenceNr) {
    // Sequence numbers are positive, so Long.MAX_VALUE + 1 cannot be a key of this id; the first
    // key of the next id bounds everything instead.
    return toSequenceNr == Long.MAX_VALUE ? entry(id + 1, 0L) : entry(id, toSequenceNr + 1);
  }

  static long sequenceNrOf(byte[] entryKey) {
    return ByteBuffer.wrap(entryKey, 8, 8).getLong();
  }

  static byte[] persistenceId(String persistenceId) {
    byte[] utf8 = persistenceId.getBytes(StandardCharsets.UTF_8);
    byte[] key = new byte[utf8.length + 1];
    key[0] = PERSISTENCE_ID_PREFIX;
    System.arraycopy(utf8, 0, key, 1, utf8.length);
    return key;
  }

  static boolean isPersistenceIdKey(byte[] key) {
    return key.length > 0 && key[0] == PERSISTENCE_ID_PREFIX;
  }

  static String persistenceIdOf(byte[] key) {
    return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
  }

  /** Exclusive upper bound of all persistenceId mapping keys. */
  static byte[] persistenceIdsUpperBound() {
    return new byte[] {PERSISTENCE_ID_PREFIX + 1};
  }

  static byte[] highestSequenceNr(long id) {
    return ByteBuffer.allocate(9).put(HIGHEST_SEQUENCE_NR_PREFIX).putLong(id).array();
  }

  static byte[] longValue(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  static long longOf(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }
}
