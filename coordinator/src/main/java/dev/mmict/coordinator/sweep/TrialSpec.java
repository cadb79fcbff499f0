package dev.mmict.coordinator.sweep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One trial of a sweep as sampled: its position, its id and the value of every searched key.
 *
 * @param index 0-based position in the sweep's trial list
 * @param id stable name, {@code trial-000} for index 0
 * @param params searched key → value (String, Long, Double or Boolean), in search-space order
 */
public record TrialSpec(int index, String id, Map<String, Object> params) {

  /** Copies the parameters, keeping their order. */
  public TrialSpec {
    if (index < 0) {
      throw new IllegalArgumentException("trial index must be >= 0, got " + index);
    }
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** The id of the trial at {@code index}: {@code trial-} and the index, zero-padded to 3 digits. */
  public static String idOf(int index) {
    return String.format(java.util.Locale.ROOT, "trial-%03d", index);
  }
}
