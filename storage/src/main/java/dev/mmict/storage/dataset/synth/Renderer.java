package dev.mmict.storage.dataset.synth;

import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.draw.Canvas;
import dev.mmict.storage.dataset.draw.Motion;
import dev.mmict.storage.dataset.draw.Placement;
import dev.mmict.storage.dataset.draw.Region;
import dev.mmict.storage.dataset.task.TaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws and describes objects for one task: picks an {@link Item}'s attributes and renders it
 * into the task's frames (size, place, path and background noise drawn at random).
 */
final class Renderer {

  private static final float[] WHITE = {1f, 1f, 1f};

  private final TaskSpec spec;
  private final SpriteSource sprites;
  private final List<String> classWords;
  private final List<String> colourWords;
  private final List<String> sizeWords;
  private final Map<String, float[]> rgb = new java.util.HashMap<>();
  private final float[] background;

  Renderer(TaskSpec spec, SpriteSource sprites) {
    this.spec = spec;
    this.sprites = sprites;
    this.classWords = spec.classWords();
    this.colourWords = List.copyOf(spec.colours().keySet());
    this.sizeWords = List.copyOf(spec.sizes().keySet());
    spec.colours().forEach((word, c) -> rgb.put(word, c.toFloats()));
    this.background = spec.background().toFloats();
  }

  /** A random object of a random class and colour. */
  Item randomItem(SplittableRandom random) {
    int cls = random.nextInt(classWords.size());
    return item(cls, randomColour(random), random);
  }

  /** An object of the given class and colour with random size, position and motion. */
  Item item(int classIndex, String colour, SplittableRandom random) {
    String size = sizeWords.get(random.nextInt(sizeWords.size()));
    String position = pick(spec.positions(), random);
    String motion = spec.frames() > 1 ? pick(spec.motions(), random) : null;
    return new Item(classIndex, classWords.get(classIndex), colour, size, position, motion);
  }

  /** A random colour word, or null for an uncoloured task. */
  String randomColour(SplittableRandom random) {
    return pick(colourWords, random);
  }

  /** The frames showing {@code item} in {@code split}. */
  List<Frame> render(Item item, String split, SplittableRandom random) {
    Sprite sprite = sprites.sprite(item.classIndex(), split, random);
    int s = spec.imageSize();
    TaskSpec.Range range = spec.sizes().get(item.size());
    double diameter = s * (range.min() + (range.max() - range.min()) * random.nextDouble());
    Region region = item.position() == null ? Region.ANYWHERE : Region.parse(item.position());
    Motion motion = item.motion() == null ? null : Motion.parse(item.motion());
    double[][] centres =
        Placement.centres(s, diameter, region, motion, spec.frames(), spec.motionStep(), random);
    float[] colour = item.colour() == null ? WHITE : rgb.get(item.colour());
    List<Frame> frames = new ArrayList<>(spec.frames());
    for (double[] c : centres) {
      Canvas canvas = new Canvas(s, background);
      canvas.addNoise(spec.noise(), random);
      sprite.paint(canvas, c[0], c[1], diameter, colour);
      frames.add(canvas.toFrame());
    }
    return frames;
  }

  private static String pick(List<String> words, SplittableRandom random) {
    return words.isEmpty() ? null : words.get(random.nextInt(words.size()));
  }
}
