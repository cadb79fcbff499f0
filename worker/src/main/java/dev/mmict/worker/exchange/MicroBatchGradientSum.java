package dev.mmict.worker.exchange;

import java.util.Arrays;

/**
 * One worker's contribution in deterministic mode: the exact fixed-point sum of the gradients of
 * the micro-batches it trained this step. Because each micro-batch gradient is encoded on its
 * own (a pure function of that gradient) and integer sums do not depend on order, the all-reduced
 * sum, and the mean {@link #mean} derives from it, are bitwise the same however the micro-batches
 * were spread over workers.
 */
public final class MicroBatchGradientSum {

  private final FixedPoint format;
  private final long[] sum;
  private int microBatches;

  /** An empty sum of vectors of {@code length} elements in {@code format}. */
  public MicroBatchGradientSum(FixedPoint format, int length) {
    this.format = format;
    this.sum = new long[length];
  }

  /** Adds one micro-batch's flattened gradient; throws on overflow naming the element. */
  public void add(float[] microBatchGradient) {
    format.encodeAndAdd(microBatchGradient, sum);
    microBatches++;
  }

  /** Number of micro-batches added so far. */
  public int microBatches() {
    return microBatches;
  }

  /** The live sum buffer, to be all-reduced in place (so it then holds the global sum). */
  public long[] buffer() {
    return sum;
  }

  /** The fixed-point format of the buffer. */
  public FixedPoint format() {
    return format;
  }

  /** {@code buffer / totalMicroBatches} as floats: the mean gradient once the buffer is reduced. */
  public float[] mean(int totalMicroBatches) {
    if (totalMicroBatches <= 0) {
      throw new IllegalArgumentException("total micro-batches must be positive, got " + totalMicroBatches);
    }
    return format.decode(sum, totalMicroBatches);
  }

  /** Empties the sum for the next step. */
  public void clear() {
    Arrays.fill(sum, 0L);
    microBatches = 0;
  }
}
