package dev.mmict.storage.dataset.task;

import dev.mmict.storage.dataset.Dataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A validated task definition with every default filled in: what {@link
 * dev.mmict.storage.dataset.Datasets#open(TaskSpec)} generates. Made by {@link Tasks}; the
 * meaning of each field is documented in storage/README.md and in the built-in YAML files.
 *
 * @param name the task's name (file name without ".yaml")
 * @param description free text, may be empty
 * @param kind caption, vqa or fastbinding
 * @param source shapes or fmnist
 * @param seed the seed every sample is derived from, with its split and index
 * @param imageSize side S of the square RGB pictures, pixels
 * @param frames frames per sample (1: image, more: video of a moving object)
 * @param splitSizes "train", "val", "test" → samples (caption, vqa) or dialogs (fastbinding)
 * @param colours colour word → RGB; empty for an uncoloured (grey) fmnist task
 * @param shapes shape words (shapes source), each a known {@link
 *     dev.mmict.storage.dataset.draw.ShapeKind}
 * @param classes class words of the fmnist labels 0–9 (fmnist source)
 * @param sizes size word → extent range as a fraction of S
 * @param positions position words; empty: anywhere, and captions may not mention it
 * @param motions motion words (videos only)
 * @param motionStep travel per frame as a fraction of S
 * @param noise amplitude of uniform background noise
 * @param background background RGB
 * @param prompts query instruction templates
 * @param targets caption templates (caption kind; empty otherwise)
 * @param demos demonstration text templates
 * @param questions question templates with the attribute that answers each (vqa kind)
 * @param synonyms answer → accepted synonyms (vqa kind)
 * @param trainNames nonsense-name pool of the train split (fastbinding)
 * @param evalNames nonsense-name pool of val and test, disjoint from trainNames (fastbinding)
 * @param minWays fewest classes named in one dialog (fastbinding)
 * @param maxWays most classes named in one dialog (fastbinding)
 * @param shots demonstrations per class in one dialog (fastbinding)
 * @param shareColour probability that all objects of a dialog share one colour (fastbinding)
 * @param queryRepeatsDemo probability that a dialog's query shows exactly the picture of one of
 *     its class's demonstrations (fastbinding; a pretraining curriculum: matching is then easy)
 * @param fmnistDir directory of the Fashion-MNIST IDX files (fmnist source)
 */
public record TaskSpec(
    String name,
    String description,
    TaskKind kind,
    TaskSource source,
    long seed,
    int imageSize,
    int frames,
    Map<String, Integer> splitSizes,
    Map<String, Rgb> colours,
    List<String> shapes,
    List<String> classes,
    Map<String, Range> sizes,
    List<String> positions,
    List<String> motions,
    double motionStep,
    double noise,
    Rgb background,
    List<String> prompts,
    List<String> targets,
    List<String> demos,
    List<Question> questions,
    Map<String, List<String>> synonyms,
    List<String> trainNames,
    List<String> evalNames,
    int minWays,
    int maxWays,
    int shots,
    double shareColour,
    double queryRepeatsDemo,
    Path fmnistDir) {

  /** An RGB colour, each channel 0–255. */
  public record Rgb(int r, int g, int b) {
    /** The colour as floats in [0, 1]. */
    public float[] toFloats() {
      return new float[] {r / 255f, g / 255f, b / 255f};
    }
  }

  /** A closed range [min, max]. */
  public record Range(double min, double max) {}

  /**
   * A question template and the attribute that answers it.
   *
   * @param question the template, e.g. "what colour is the {shape}?"
   * @param answer colour, shape, class, size, position or motion
   */
  public record Question(String question, String answer) {}

  /** The class words objects are drawn from: the shapes, or the fmnist classes. */
  public List<String> classWords() {
    return source == TaskSource.SHAPES ? shapes : classes;
  }

  /** The number of samples (caption, vqa) or dialogs (fastbinding) of {@code split}. */
  public int splitSize(String split) {
    Integer size = splitSizes.get(split);
    if (size == null) {
      throw new IllegalArgumentException(
          "Task " + name + " has no split '" + split + "'; splits: " + splitSizes.keySet());
    }
    return size;
  }

  /** The nonsense names of {@code split}: the train pool for train, the eval pool otherwise. */
  public List<String> namePool(String split) {
    return Dataset.TRAIN.equals(split) ? trainNames : evalNames;
  }
}
