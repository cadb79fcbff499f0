package dev.mmict.storage.records;

/**
 * Hears how a {@link RecordPacker#pack} run advances (the CLI draws a bar); every method has an
 * empty default, and all are called on the packing thread.
 */
public interface PackProgress {

  /** Hears nothing. */
  PackProgress NONE = new PackProgress() {};

  /** Packing of {@code dataset} starts; {@code totalSamples} over all splits. */
  default void started(String dataset, long totalSamples) {}

  /**
   * One more sample is written.
   *
   * @param split the split it belongs to
   * @param done samples written so far, over all splits
   * @param total samples to write, over all splits
   */
  default void sampleWritten(String split, long done, long total) {}

  /** A shard is complete (written and fsynced) under its final name. */
  default void shardFinished(String file, long bytes, int records) {}

  /** The pack is complete and visible at its destination. */
  default void finished(Manifest manifest) {}
}
