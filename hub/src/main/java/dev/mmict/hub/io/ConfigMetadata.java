package dev.mmict.hub.io;

import java.util.Map;

/**
 * Typed reads from a string map such as a safetensors {@code __metadata__} header, with errors
 * that name the source and the key.
 */
public final class ConfigMetadata {
  private final Map<String, String> values;
  private final String source;

  /**
   * Wraps {@code values}; {@code source} names where they come from in error messages.
   */
  public ConfigMetadata(Map<String, String> values, String source) {
    this.values = Map.copyOf(values);
    this.source = source;
  }

  /** The raw string under {@code key}; fails if absent. */
  public String string(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(source + ": missing configuration key '" + key + "'");
    }
    return v;
  }

  /** The string under {@code key}, or {@code fallback} when absent. */
  public String string(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  /** The integer under {@code key}; fails if absent or not an integer. */
  public int integer(String key) {
    String v = string(key);
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(source + ": configuration key '" + key
          + "' is not an integer: '" + v + "'", e);
    }
  }

  /** The integer under {@code key}, or {@code fallback} when absent. */
  public int integer(String key, int fallback) {
    return values.containsKey(key) ? integer(key) : fallback;
  }

  /** The number under {@code key}; fails if absent or not a number. */
  public double number(String key) {
    String v = string(key);
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(source + ": configuration key '" + key
          + "' is not a number: '" + v + "'", e);
    }
  }

  /** Fails unless the value under {@code key}, when present, equals {@code expected}. */
  public void requireIfPresent(String key, String expected, String why) {
    String v = values.get(key);
    if (v != null && !v.equals(expected)) {
      throw new IllegalArgumentException(source + ": configuration key '" + key + "' is '" + v
          + "', only '" + expected + "' is supported (" + why + ")");
    }
  }
}
