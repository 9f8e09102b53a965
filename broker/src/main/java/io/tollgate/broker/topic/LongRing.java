package io.tollgate.broker.topic;

/**
 * A queue of fixed-width records of longs in one array, with access by position: the
 * deduplication window keeps millions of them, where an object per record would cost several
 * times its fields. Grows by doubling and halves when three quarters are unused.
 */
final class LongRing {
  private static final int MIN_CAPACITY = 16;

  private final int width;
  private long[] slots;
  private int head;
  private int size;

  LongRing(int width) {
    this.width = width;
    this.slots = new long[width * MIN_CAPACITY];
  }

  int size() {
    return size;
  }

  long get(int element, int field) {
    return slots[slot(element) + field];
  }

  void set(int element, int field, long value) {
    slots[slot(element) + field] = value;
  }

  /** Appends a record of zeros and returns its position. */
  int addLast() {
    if (size == capacity()) {
      resize(capacity() * 2);
    }
    size++;
    return size - 1;
  }

  void removeFirst() {
    java.util.Arrays.fill(slots, head * width, head * width + width, 0L);
    head = (head + 1) % capacity();
    size--;
    if (capacity() > MIN_CAPACITY && size < capacity() / 4) {
      resize(capacity() / 2);
    }
  }

  long allocatedBytes() {
    return 8L * slots.length;
  }

  private int capacity() {
    return slots.length / width;
  }

  private int slot(int element) {
    return ((head + element) % capacity()) * width;
  }

  private void resize(int capacity) {
    long[] resized = new long[capacity * width];
    for (int element = 0; element < size; element++) {
      System.arraycopy(slots, slot(element), resized, element * width, width);
    }
    slots = resized;
    head = 0;
  }
}
