package dev.mmict.storage.records;

import java.util.Objects;

/**
 * How {@link RecordPacker#pack} writes a dataset.
 *
 * @param maxShardBytes a shard is closed before a record would take it past this size (a single
 *     record larger than the limit gets a shard of its own)
 * @param pixelEncoding how frames are stored
 * @param overwrite whether an existing non-empty destination may be replaced
 * @param progress hears the run's progress
 */
public record PackOptions(
    long maxShardBytes, PixelEncoding pixelEncoding, boolean overwrite, PackProgress progress) {

  /** 256 MiB: few files for the built-in tasks, small enough to copy and hash comfortably. */
  public static final long DEFAULT_MAX_SHARD_BYTES = 256L << 20;

  /** Checks the limit and nulls. */
  public PackOptions {
    if (maxShardBytes < 1) {
      throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
    }
    Objects.requireNonNull(pixelEncoding, "pixelEncoding");
    Objects.requireNonNull(progress, "progress");
  }

  /** 256 MiB shards, UINT8 pixels, no overwriting, no progress. */
  public static PackOptions defaults() {
    return new PackOptions(DEFAULT_MAX_SHARD_BYTES, PixelEncoding.UINT8, false, PackProgress.NONE);
  }

  /** These options with shards of at most {@code mebibytes} MiB. */
  public PackOptions withMaxShardMegabytes(int mebibytes) {
    if (mebibytes < 1) {
      throw new IllegalArgumentException("shard size must be at least 1 MiB, got " + mebibytes);
    }
    return withMaxShardBytes((long) mebibytes << 20);
  }

  /** These options with shards of at most {@code bytes} bytes. */
  public PackOptions withMaxShardBytes(long bytes) {
    return new PackOptions(bytes, pixelEncoding, overwrite, progress);
  }

  /** These options with {@code encoding} for frames. */
  public PackOptions withPixelEncoding(PixelEncoding encoding) {
    return new PackOptions(maxShardBytes, encoding, overwrite, progress);
  }

  /** These options, allowed (or not) to replace an existing pack. */
  public PackOptions withOverwrite(boolean allowed) {
    return new PackOptions(maxShardBytes, pixelEncoding, allowed, progress);
  }

  /** These options reporting to {@code listener}. */
  public PackOptions withProgress(PackProgress listener) {
    return new PackOptions(maxShardBytes, pixelEncoding, overwrite, listener);
  }
}
