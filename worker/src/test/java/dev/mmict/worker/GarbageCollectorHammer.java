package dev.mmict.worker;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A thread that keeps the garbage collector busy while a test computes: it collects, churns small
 * native buffers filled with NaN bits (so that the memory of a freed Java buffer is soon taken
 * over and a stale read shows), and allocates heap garbage so collections come often. A tensor
 * that only a Java buffer keeps alive then reads garbage instead of its value.
 */
public final class GarbageCollectorHammer implements AutoCloseable {

  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread = new Thread(this::run, "gc-hammer");

  private GarbageCollectorHammer() {
    thread.setDaemon(true);
  }

  /** Starts hammering until {@link #close()}. */
  public static GarbageCollectorHammer start() {
    GarbageCollectorHammer h = new GarbageCollectorHammer();
    h.thread.start();
    return h;
  }

  private void run() {
    while (!stop.get()) {
      System.gc();
      for (int i = 0; i < 256; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 16) * 4);
        while (b.hasRemaining()) {
          b.put((byte) 0x7f);
        }
      }
      byte[][] heap = new byte[32][];
      for (int i = 0; i < heap.length; i++) {
        heap[i] = new byte[1 << 16];
      }
    }
  }

  /** Stops the thread and waits for it. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join();
  }
}
