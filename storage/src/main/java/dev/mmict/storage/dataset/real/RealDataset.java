package dev.mmict.storage.dataset.real;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.Seeds;
import dev.mmict.storage.dataset.image.ImageDecodeException;
import dev.mmict.storage.dataset.image.ImagePipeline;
import dev.mmict.storage.dataset.task.Template;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A dataset over picture files on disk, made by one of the readers: the index (ids, file paths,
 * texts) lives in memory, pixels are decoded on {@link #get}. Every sample is queryable and
 * ungrouped. Train samples get the pipeline's augmentation, drawn from (seed, sample id) alone,
 * so any process materialises the same sample; val and test samples get the centre crop.
 *
 * <p>Safe for concurrent reads: the index is never changed after construction.
 */
public final class RealDataset implements Dataset {

  private final String name;
  private final Map<String, List<Entry>> splits;
  private final List<String> splitNames;
  private final ImagePipeline pipeline;
  private final long seed;
  private final String prompt;
  private final String demo;
  private final SkipReport skipReport;

  RealDataset(String name, Map<String, List<Entry>> splits, ImagePipeline pipeline, long seed,
      String prompt, String demo, SkipReport skipReport) {
    this.name = name;
    this.splits = Map.copyOf(splits);
    this.splitNames = List.copyOf(splits.keySet());
    this.pipeline = pipeline;
    this.seed = seed;
    this.prompt = prompt;
    this.demo = demo;
    this.skipReport = skipReport;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> splits() {
    return splitNames;
  }

  @Override
  public int size(String split) {
    return entries(split).size();
  }

  @Override
  public String id(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return entries(split).get(index).id();
  }

  @Override
  public boolean isQueryable(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return true;
  }

  /**
   * Decodes the sample's pictures and renders its texts.
   *
   * @throws DatasetFormatException naming the annotation file, the record and the picture file
   *     when a picture cannot be decoded (one that passed the opening check but is damaged)
   */
  @Override
  public Sample get(String split, int index) {
    Dataset.checkIndex(this, split, index);
    Entry e = entries(split).get(index);
    SplittableRandom random = TRAIN.equals(split) && pipeline.augmentation() != null
        ? Seeds.random(seed, Seeds.of(e.id()))
        : null;
    List<Frame> frames;
    try {
      frames = pipeline.load(e.media(), random);
    } catch (ImageDecodeException ex) {
      throw new DatasetFormatException(Problem.UNDECODABLE_MEDIA, e.file(), e.record(),
          ex.getMessage(), ex);
    }
    Map<String, String> values = new HashMap<>();
    if (e.question() != null) {
      values.put("question", e.question());
    }
    String renderedPrompt = Template.render(prompt, Map.of(), values);
    values.put("prompt", renderedPrompt);
    values.put("target", e.target());
    values.put("answer", e.target());
    String text = Template.render(demo, Map.of(), values);
    return new Sample(e.id(), null, true, frames, text, renderedPrompt, e.target(), e.answers());
  }

  /** The records dropped when the dataset was opened (empty under the fail policy). */
  public SkipReport skipReport() {
    return skipReport;
  }

  /** The image pipeline (frame size, augmentation). */
  public ImagePipeline pipeline() {
    return pipeline;
  }

  /**
   * The same index with another augmentation seed: train samples then get other crops and
   * flips (e.g. one seed per epoch); ids, texts and eval samples are unchanged.
   */
  public RealDataset withSeed(long newSeed) {
    return new RealDataset(name, splits, pipeline, newSeed, prompt, demo, skipReport);
  }

  private List<Entry> entries(String split) {
    List<Entry> list = splits.get(split);
    if (list == null) {
      throw new IllegalArgumentException(
          "Dataset " + name + " has no split '" + split + "'; splits: " + splitNames);
    }
    return list;
  }
}
