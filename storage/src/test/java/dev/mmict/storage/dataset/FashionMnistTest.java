package dev.mmict.storage.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.fmnist.FashionMnist;
import dev.mmict.storage.dataset.fmnist.IdxFile;
import dev.mmict.storage.dataset.fmnist.IdxReader;
import dev.mmict.storage.dataset.synth.FastBindingDataset;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  private static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  private static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(data);
    }
    return bytes.toByteArray();
  }

  private static void write(Path file, byte[] content, boolean gzip) throws IOException {
    try (OutputStream out = gzip
        ? new GZIPOutputStream(Files.newOutputStream(file))
        : Files.newOutputStream(file)) {
      out.write(content);
    }
  }

  /**
   * Fake Fashion-MNIST: image i has label i % 10 and its first 2·label + 6 rows opaque, so the
   * painted height tells the label.
   */
  private static void fakeFmnist(Path dir, int train, int test, boolean gzip) throws IOException {
    for (String prefix : List.of("train", "t10k")) {
      int n = prefix.equals("train") ? train : test;
      byte[] images = new byte[n * 28 * 28];
      byte[] labels = new byte[n];
      for (int i = 0; i < n; i++) {
        int label = i % 10;
        labels[i] = (byte) label;
        for (int p = 0; p < (2 * label + 6) * 28; p++) {
          images[i * 784 + p] = (byte) 255;
        }
      }
      String ext = gzip ? ".gz" : "";
      write(dir.resolve(prefix + "-images-idx3-ubyte" + ext),
          idx(0x00000803, new int[] {n, 28, 28}, images), gzip);
      write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext),
          idx(0x00000801, new int[] {n}, labels), gzip);
    }
  }

  private static TaskSpec fmnistTask(String name, Path dir) throws IOException {
    try (InputStream in = Tasks.class.getResourceAsStream("/dev/mmict/storage/tasks/" + name + ".yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("fmnist_dir: /usr/share/datasets/fashion-mnist", "fmnist_dir: " + dir);
      return Tasks.parse(name, yaml, name + ".yaml");
    }
  }

  @Test
  void readsRawAndGzipIdxFiles(@TempDir Path dir) throws IOException {
    byte[] data = {1, 2, 3, 4, 5, 6, (byte) 200, 8, 9, 10, 11, 12};
    byte[] file = idx(0x00000803, new int[] {3, 2, 2}, data);
    write(dir.resolve("raw"), file, false);
    write(dir.resolve("zipped.gz"), file, true);
    IdxFile raw = IdxReader.read(dir.resolve("raw"));
    assertArrayEquals(new int[] {3, 2, 2}, raw.dims());
    assertArrayEquals(data, raw.data());
    assertEquals(3, raw.count());
    assertEquals(4, raw.itemSize());
    assertEquals(200, raw.unsigned(6));
    assertEquals(raw, IdxReader.read(dir.resolve("zipped.gz")));
    IdxFile labels = IdxReader.read(
        new java.io.ByteArrayInputStream(idx(0x00000801, new int[] {2}, new byte[] {7, 9})), "l");
    assertArrayEquals(new int[] {1}, new int[] {labels.dims().length});
    assertEquals(9, labels.unsigned(1));
  }

  @Test
  void rejectsBadMagicAndTruncatedFiles(@TempDir Path dir) throws IOException {
    write(dir.resolve("floats"), idx(0x00000D01, new int[] {1}, new byte[4]), false);
    IOException magic = assertThrows(IOException.class, () -> IdxReader.read(dir.resolve("floats")));
    assertTrue(magic.getMessage().contains("0x00000D01"), magic.getMessage());
    write(dir.resolve("short"), idx(0x00000803, new int[] {2, 2, 2}, new byte[5]), false);
    IOException truncated = assertThrows(IOException.class, () -> IdxReader.read(dir.resolve("short")));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
  }

  @Test
  void missingFilesSayHowToInstallThem(@TempDir Path dir) throws IOException {
    TaskSpec spec = fmnistTask("fmnist-caption", dir.resolve("nowhere"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Datasets.open(spec));
    assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("nowhere").toString()), e.getMessage());
  }

  @Test
  void splitsTrainFilesAndHalvesOfTheTestFiles(@TempDir Path dir) throws IOException {
    fakeFmnist(dir, 40, 20, false);
    FashionMnist data = FashionMnist.load(dir);
    assertEquals(40, data.count("train"));
    assertEquals(10, data.count("val"));
    assertEquals(10, data.count("test"));
    assertEquals(3, data.label("test", 3)); // t10k image 13 has label 3
    assertEquals(10 * 784 + 3 * 784, data.offset("test", 3));
    assertArrayEquals(new int[] {2, 12, 22, 32}, data.indicesOf("train", 2));
  }

  @Test
  void captionsNameTheClassThePictureShows(@TempDir Path dir) throws IOException {
    fakeFmnist(dir, 50, 30, true);
    TaskSpec spec = fmnistTask("fmnist-caption", dir);
    Dataset d = Datasets.open(spec);
    for (int i = 0; i < 100; i++) {
      Sample s = d.get(i % 2 == 0 ? "train" : "test", i);
      int label = -1;
      for (int c = 0; c < spec.classes().size(); c++) {
        if (s.target().contains(" " + spec.classes().get(c) + ".")
            || s.target().contains(" " + spec.classes().get(c) + " in")) {
          label = c;
        }
      }
      assertTrue(label >= 0, s.target());
      // Painted rows: 2·label + 6 of 28 source rows scaled to d ∈ [0.8, 0.95]·32 px.
      int rows = paintedRows(s.frames().get(0));
      double expected = (2 * label + 6) / 28.0;
      assertTrue(rows >= Math.floor(expected * 0.8 * 32) - 1 && rows <= Math.ceil(expected * 0.95 * 32) + 1,
          s.id() + " '" + s.target() + "' shows " + rows + " rows");
    }
  }

  private static int paintedRows(Frame f) {
    int rows = 0;
    for (int y = 0; y < f.height(); y++) {
      float max = 0;
      for (int x = 0; x < f.width(); x++) {
        max = Math.max(max, Math.max(f.at(0, y, x), Math.max(f.at(1, y, x), f.at(2, y, x))));
      }
      rows += max > 0.5f ? 1 : 0;
    }
    return rows;
  }

  @Test
  void fastBindingWorksOnFashionMnist(@TempDir Path dir) throws IOException {
    fakeFmnist(dir, 60, 40, false);
    FastBindingDataset d = (FastBindingDataset) Datasets.open(fmnistTask("fmnist-fastbinding", dir));
    for (int g = 0; g < 20; g++) {
      List<Sample> dialog = d.dialog("val", g);
      Sample query = dialog.get(dialog.size() - 1);
      assertTrue(dialog.subList(0, dialog.size() - 1).stream()
          .anyMatch(s -> s.target().equals(query.target())));
    }
  }

  /** Runs where the Debian package is installed (the CI script installs it). */
  @Test
  void realDebianFilesLoad() {
    Assumptions.assumeTrue(Files.isDirectory(DEBIAN_DIR),
        "dataset-fashion-mnist is not installed");
    FashionMnist data = FashionMnist.load(DEBIAN_DIR);
    assertEquals(60000, data.count("train"));
    assertEquals(5000, data.count("val"));
    assertEquals(5000, data.count("test"));
    for (int c = 0; c < 10; c++) {
      assertEquals(6000, data.indicesOf("train", c).length, "class " + c);
    }
    for (String task : List.of("fmnist-caption", "fmnist-vqa", "fmnist-fastbinding")) {
      Dataset d = Datasets.open(task);
      Sample s = d.get("test", 3);
      assertEquals(32, s.frames().get(0).width());
      assertEquals(s, Datasets.open(task).get("test", 3));
    }
  }
}
