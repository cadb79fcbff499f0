package dev.mmict.storage.dataset.real;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed access to the fields of a JSON record, throwing {@link BadRecord} for bad ones. */
final class Fields {

  private Fields() {}

  /** An integer field. */
  static long integer(JsonNode record, String field) throws BadRecord {
    JsonNode v = present(record, field);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new BadRecord(Problem.BAD_FIELD,
          "field '" + field + "': expected an integer, got " + v);
    }
    return v.longValue();
  }

  /** A string field that must not be blank ("empty caption" otherwise); trimmed. */
  static String text(JsonNode record, String field) throws BadRecord {
    return text(present(record, field), field, field);
  }

  /** {@code value} as non-blank text; {@code what} names it in messages. */
  static String text(JsonNode value, String field, String what) throws BadRecord {
    if (!value.isTextual()) {
      throw new BadRecord(Problem.BAD_FIELD,
          "field '" + field + "': expected a string, got " + value);
    }
    String s = value.textValue().strip();
    if (s.isEmpty()) {
      throw new BadRecord(Problem.EMPTY_TEXT, "empty " + what);
    }
    return s;
  }

  /** A string or integer field as a string (ids are either, depending on the release). */
  static String key(JsonNode record, String field) throws BadRecord {
    JsonNode v = present(record, field);
    if (v.isIntegralNumber()) {
      return v.asText();
    }
    return text(v, field, field);
  }

  /** An array field. */
  static JsonNode array(JsonNode record, String field) throws BadRecord {
    JsonNode v = present(record, field);
    if (!v.isArray()) {
      throw new BadRecord(Problem.BAD_FIELD, "field '" + field + "': expected a list, got " + v);
    }
    return v;
  }

  /** Whether the record is an object; readers call this first. */
  static void object(JsonNode record) throws BadRecord {
    if (!record.isObject()) {
      throw new BadRecord(Problem.BAD_FIELD, "expected a JSON object, got " + abbreviate(record));
    }
  }

  private static JsonNode present(JsonNode record, String field) throws BadRecord {
    object(record);
    JsonNode v = record.get(field);
    if (v == null || v.isNull()) {
      throw new BadRecord(Problem.BAD_FIELD, "missing field '" + field + "'");
    }
    return v;
  }

  private static String abbreviate(JsonNode node) {
    String s = node.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
