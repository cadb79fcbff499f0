package dev.mmict.storage.dataset.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Frame;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import javax.imageio.ImageIO;

/** Writes small real-format files for the reader tests, and checks both bad-input policies. */
final class Fixtures {

  private Fixtures() {}

  /** A solid-colour picture (format from the extension: .png, else JPEG). */
  static Path picture(Path file, int width, int height, int rgb) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return write(img, file);
  }

  /** A grey PNG or JPEG of one value 0–255. */
  static Path grey(Path file, int width, int height, int value) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.getRaster().setSample(x, y, 0, value);
      }
    }
    return write(img, file);
  }

  private static Path write(BufferedImage img, Path file) {
    try {
      Files.createDirectories(file.getParent());
      String format = file.toString().endsWith(".png") ? "png" : "jpg";
      assertTrue(ImageIO.write(img, format, file.toFile()));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code text} (creating folders). */
  static Path text(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The channel (0 R, 1 G, 2 B) with the largest mean. */
  static int dominant(Frame f) {
    double[] sum = new double[3];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < f.height(); y++) {
        for (int x = 0; x < f.width(); x++) {
          sum[c] += f.at(c, y, x);
        }
      }
    }
    int best = 0;
    for (int c = 1; c < 3; c++) {
      if (sum[c] > sum[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * Opens under FAIL and expects {@code problem}, with every fragment in the message; returns the
   * exception.
   */
  static DatasetFormatException failsWith(Function<ReaderOptions, RealDataset> open,
      ReaderOptions options, Problem problem, String... fragments) {
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> open.apply(options.withPolicy(BadInputPolicy.FAIL)));
    assertEquals(problem, e.problem(), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }
    return e;
  }

  /**
   * Opens under SKIP and expects exactly {@code count} skips, all of {@code problem}, the first
   * naming every fragment; returns the dataset.
   */
  static RealDataset skips(Function<ReaderOptions, RealDataset> open, ReaderOptions options,
      Problem problem, int count, String... fragments) {
    RealDataset ds = open.apply(options.withPolicy(BadInputPolicy.SKIP));
    SkipReport report = ds.skipReport();
    assertEquals(count, report.count(), report.summary());
    assertEquals(count, report.of(problem).size(), report.summary());
    String first = report.skips().get(0).toString();
    for (String f : fragments) {
      assertTrue(first.contains(f), "'" + f + "' not in: " + first);
    }
    assertTrue(report.summary().contains(problem.name()), report.summary());
    return ds;
  }

  /** Opens under both policies and expects a whole-file error (no record, no policy). */
  static DatasetFormatException fileError(Function<ReaderOptions, RealDataset> open,
      ReaderOptions options, String... fragments) {
    DatasetFormatException last = null;
    for (BadInputPolicy policy : BadInputPolicy.values()) {
      DatasetFormatException e = assertThrows(DatasetFormatException.class,
          () -> open.apply(options.withPolicy(policy)));
      assertNull(e.problem(), e.getMessage());
      for (String f : fragments) {
        assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
      }
      last = e;
    }
    return last;
  }
}
