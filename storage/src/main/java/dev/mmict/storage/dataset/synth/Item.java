package dev.mmict.storage.dataset.synth;

import java.util.HashMap;
import java.util.Map;

/**
 * The attributes of the one object a sample shows; null where the task has no such attribute.
 *
 * @param classIndex index into the task's class words (shapes or fmnist classes)
 * @param classWord the class word ("circle", "sneaker")
 * @param colour colour word, or null when uncoloured
 * @param size size word
 * @param position position word, or null when anywhere
 * @param motion motion word, or null for a still picture
 */
public record Item(
    int classIndex, String classWord, String colour, String size, String position, String motion) {

  /** The attribute values templates may use: colour, shape and class (both the class word)... */
  public Map<String, String> attributes() {
    Map<String, String> out = new HashMap<>();
    out.put("shape", classWord);
    out.put("class", classWord);
    out.put("size", size);
    if (colour != null) {
      out.put("colour", colour);
    }
    if (position != null) {
      out.put("position", position);
    }
    if (motion != null) {
      out.put("motion", motion);
    }
    return out;
  }
}
