package dev.mmict.coordinator.sweep;

/** The JSON scalar types a parameter value may take, and their canonical Java boxes. */
final class ParamValues {

  private ParamValues() {}

  /**
   * {@code value} as String, Long, Double or Boolean (ints widened to long, floats to double), or
   * null if it is none of the supported kinds or a non-finite number.
   */
  static Object normalise(Object value) {
    if (value instanceof String || value instanceof Boolean || value instanceof Long) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      return Double.isFinite(d) ? d : null;
    }
    return null;
  }
}
