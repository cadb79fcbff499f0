package dev.mmict.worker.exchange;

import java.time.Duration;

/**
 * Tuning of the ring all-reduce.
 *
 * @param chunkElements elements per chunk (the unit of framing, CRC and pipelining)
 * @param timeout the longest wait for one chunk to arrive or to be queued for sending
 */
public record ExchangeSettings(int chunkElements, Duration timeout) {

  /** 64 Ki elements per chunk (256 KiB as FP32, 512 KiB as FIXED64), 30 s timeout. */
  public static final ExchangeSettings DEFAULTS = new ExchangeSettings(64 * 1024, Duration.ofSeconds(30));

  /** Validates the settings. */
  public ExchangeSettings {
    if (chunkElements < 1) {
      throw new IllegalArgumentException("chunkElements must be at least 1, got " + chunkElements);
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("exchange timeout must be positive, got " + timeout);
    }
  }
}
