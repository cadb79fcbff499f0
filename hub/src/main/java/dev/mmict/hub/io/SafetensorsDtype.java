package dev.mmict.hub.io;

import java.util.Optional;

/** The element types this project reads and writes in safetensors files, with their byte sizes. */
public enum SafetensorsDtype {
  /** IEEE 754 half precision. */
  F16(2, true),
  /** bfloat16: the upper half of a float32. */
  BF16(2, true),
  /** IEEE 754 single precision. */
  F32(4, true),
  /** IEEE 754 double precision. */
  F64(8, true),
  /** 32-bit signed integer. */
  I32(4, false),
  /** 64-bit signed integer. */
  I64(8, false);

  private final int bytes;
  private final boolean floating;

  SafetensorsDtype(int bytes, boolean floating) {
    this.bytes = bytes;
    this.floating = floating;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Whether this is a floating-point type. */
  public boolean floating() {
    return floating;
  }

  /** The dtype spelled {@code name} in a header ("F32", "I64", ...), if supported. */
  public static Optional<SafetensorsDtype> parse(String name) {
    for (SafetensorsDtype d : values()) {
      if (d.name().equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
