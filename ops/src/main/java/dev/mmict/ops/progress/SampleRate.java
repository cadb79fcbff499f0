package dev.mmict.ops.progress;

import java.util.OptionalDouble;

/**
 * Samples (dialogs) per second of a training loop, counted from the end of its first finished
 * step: whatever came before it (a cluster's worker JVMs starting and loading the model, the first
 * step's one-off warm-up) is not in the denominator, and the first step's samples are not in the
 * numerator. The same interval as the display's steps per second.
 */
final class SampleRate {
  private boolean started;
  private long originNanos;
  private long lastNanos;
  private long samples;

  /** A step ended at {@code nanos} (a monotonic clock) after training {@code dialogs} samples. */
  void stepFinished(long nanos, long dialogs) {
    if (!started) {
      started = true;
      originNanos = nanos;
      lastNanos = nanos;
      return;
    }
    samples += dialogs;
    lastNanos = nanos;
  }

  /** Samples per second since the first step ended; empty until a later step ended after a positive time. */
  OptionalDouble perSecond() {
    long elapsed = lastNanos - originNanos;
    if (!started || elapsed <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(samples / (elapsed / 1e9));
  }
}
