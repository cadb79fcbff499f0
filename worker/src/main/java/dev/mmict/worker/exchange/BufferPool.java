package dev.mmict.worker.exchange;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Direct byte buffers for frames, handed out and taken back so that a steady exchange allocates
 * (and zeroes) nothing. New buffers get the largest capacity asked for so far (rounded up to 4
 * KiB), and only buffers of that size are kept, so after the first full chunk every idle buffer
 * fits every later frame. At most {@code maxIdle} buffers are kept; one never released, or
 * released beyond that, is left to the garbage collector. Thread-safe.
 */
final class BufferPool {

  private static final int ALIGN = 4096;

  private final int maxIdle;
  private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
  private int largest;
  private long created;
  private long outstanding;

  /** A pool keeping at most {@code maxIdle} idle buffers. */
  BufferPool(int maxIdle) {
    if (maxIdle < 0) {
      throw new IllegalArgumentException("maxIdle must be >= 0, got " + maxIdle);
    }
    this.maxIdle = maxIdle;
  }

  /** A cleared buffer of at least {@code minCapacity} bytes (limit = capacity). */
  synchronized ByteBuffer acquire(int minCapacity) {
    if (minCapacity < 0) {
      throw new IllegalArgumentException("negative buffer size " + minCapacity);
    }
    outstanding++;
    for (Iterator<ByteBuffer> it = idle.iterator(); it.hasNext(); ) {
      ByteBuffer b = it.next();
      if (b.capacity() >= minCapacity) {
        it.remove();
        return b.clear();
      }
    }
    largest = Math.max(largest, minCapacity);
    int capacity = (int) Math.min(Integer.MAX_VALUE - ALIGN, ((long) largest + ALIGN - 1) / ALIGN * ALIGN);
    created++;
    return ByteBuffer.allocateDirect(capacity);
  }

  /** Takes {@code buffer} back (the caller must not touch it again). */
  synchronized void release(ByteBuffer buffer) {
    outstanding--;
    if (idle.size() < maxIdle && buffer.capacity() >= largest) {
      idle.push(buffer); // smaller ones (from before a larger frame came) would sit unused
    }
  }

  /** Buffers allocated so far. */
  synchronized long created() {
    return created;
  }

  /** Buffers handed out and not released (those left to the garbage collector included). */
  synchronized long outstanding() {
    return outstanding;
  }

  /** Buffers kept for reuse. */
  synchronized int idle() {
    return idle.size();
  }
}
