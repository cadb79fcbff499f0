package dev.mmict.storage.dataset.fmnist;

import dev.mmict.storage.dataset.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Fashion-MNIST images and labels of one directory, split into train (the training files)
 * and val / test (the first and second half of the t10k files). Loaded once per directory and
 * shared (about 55 MB).
 */
public final class FashionMnist {

  /** Image side in pixels. */
  public static final int SIDE = 28;
  /** Number of classes (labels 0–9). */
  public static final int CLASSES = 10;
  /** The Debian package that provides the files. */
  public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";

  private static final Map<Path, FashionMnist> CACHE = new ConcurrentHashMap<>();

  private final Path dir;
  private final IdxFile trainImages;
  private final IdxFile trainLabels;
  private final IdxFile testImages;
  private final IdxFile testLabels;
  private final Map<String, int[][]> byClass = new ConcurrentHashMap<>();

  private FashionMnist(Path dir, IdxFile trainImages, IdxFile trainLabels, IdxFile testImages,
      IdxFile testLabels) {
    this.dir = dir;
    this.trainImages = check(trainImages, trainLabels, "train");
    this.trainLabels = trainLabels;
    this.testImages = check(testImages, testLabels, "t10k");
    this.testLabels = testLabels;
  }

  /**
   * The data in {@code dir} (files {train,t10k}-{images-idx3,labels-idx1}-ubyte, with or without
   * .gz), read on first use; a missing file fails with how to install the package.
   */
  public static FashionMnist load(Path dir) {
    Path key = dir.toAbsolutePath().normalize();
    return CACHE.computeIfAbsent(key, FashionMnist::read);
  }

  private static FashionMnist read(Path dir) {
    try {
      return new FashionMnist(dir,
          IdxReader.read(find(dir, "train-images-idx3-ubyte")),
          IdxReader.read(find(dir, "train-labels-idx1-ubyte")),
          IdxReader.read(find(dir, "t10k-images-idx3-ubyte")),
          IdxReader.read(find(dir, "t10k-labels-idx1-ubyte")));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Fashion-MNIST from " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Path find(Path dir, String stem) {
    Path gz = dir.resolve(stem + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path raw = dir.resolve(stem);
    if (Files.isRegularFile(raw)) {
      return raw;
    }
    throw new IllegalStateException(
        "Fashion-MNIST file not found: looked for " + gz + " and " + raw + ". Install the data with"
            + " `sudo apt-get install " + DEBIAN_PACKAGE + "` (Debian/Ubuntu; it puts the IDX files"
            + " in /usr/share/datasets/fashion-mnist), or set fmnist_dir in the task to a directory"
            + " holding the four IDX files.");
  }

  private static IdxFile check(IdxFile images, IdxFile labels, String which) {
    int[] d = images.dims();
    if (d.length != 3 || d[1] != SIDE || d[2] != SIDE) {
      throw new IllegalStateException(which + " images: expected [N, 28, 28], got " + images);
    }
    if (labels.dims().length != 1 || labels.count() != images.count()) {
      throw new IllegalStateException(
          which + " labels " + labels + " do not match images " + images);
    }
    for (int i = 0; i < labels.count(); i++) {
      if (labels.unsigned(i) >= CLASSES) {
        throw new IllegalStateException(
            which + " label " + i + " is " + labels.unsigned(i) + ", outside 0–9");
      }
    }
    return images;
  }

  /** The directory read. */
  public Path dir() {
    return dir;
  }

  /** Number of images in {@code split}. */
  public int count(String split) {
    return end(split) - start(split);
  }

  /** The label of image {@code i} of {@code split}. */
  public int label(String split, int i) {
    return labels(split).unsigned(start(split) + i);
  }

  /** The image array of {@code split}: image i starts at {@link #offset(String, int)}. */
  public byte[] pixels(String split) {
    return images(split).data();
  }

  /** Where image {@code i} of {@code split} starts in {@link #pixels(String)}. */
  public int offset(String split, int i) {
    return (start(split) + i) * SIDE * SIDE;
  }

  /** The indices (within {@code split}) of the images labelled {@code label}, ascending. */
  public int[] indicesOf(String split, int label) {
    int[][] table = byClass.computeIfAbsent(split, this::buildClassTable);
    return table[label];
  }

  private int[][] buildClassTable(String split) {
    int n = count(split);
    int[] counts = new int[CLASSES];
    for (int i = 0; i < n; i++) {
      counts[label(split, i)]++;
    }
    int[][] table = new int[CLASSES][];
    for (int c = 0; c < CLASSES; c++) {
      table[c] = new int[counts[c]];
    }
    int[] fill = new int[CLASSES];
    for (int i = 0; i < n; i++) {
      int c = label(split, i);
      table[c][fill[c]++] = i;
    }
    return table;
  }

  private IdxFile images(String split) {
    return Dataset.TRAIN.equals(split) ? trainImages : testImages;
  }

  private IdxFile labels(String split) {
    return Dataset.TRAIN.equals(split) ? trainLabels : testLabels;
  }

  private int start(String split) {
    return switch (split) {
      case Dataset.TRAIN, Dataset.VAL -> 0;
      case Dataset.TEST -> testImages.count() / 2;
      default -> throw new IllegalArgumentException("Unknown split '" + split + "'");
    };
  }

  private int end(String split) {
    return switch (split) {
      case Dataset.TRAIN -> trainImages.count();
      case Dataset.VAL -> testImages.count() / 2;
      case Dataset.TEST -> testImages.count();
      default -> throw new IllegalArgumentException("Unknown split '" + split + "'");
    };
  }
}
