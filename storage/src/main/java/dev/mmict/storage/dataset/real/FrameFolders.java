package dev.mmict.storage.dataset.real;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Clips stored as a folder of frame pictures ({@code <frames_dir>/<clip_id>/*.jpg|*.png}, as
 * extracted with e.g. {@code ffmpeg -i clip.avi -vf fps=2 <clip_id>/%04d.jpg}): lists a folder in
 * natural order and picks F frames spread evenly over it.
 */
final class FrameFolders {

  private FrameFolders() {}

  /**
   * Which of {@code n} frames to take for {@code f}: the middle frame of each of f equal
   * segments, {@code floor((k + ½) · n / f)}; a clip shorter than f repeats frames.
   */
  static int[] uniform(int n, int f) {
    if (n < 1 || f < 1) {
      throw new IllegalArgumentException("need n ≥ 1 and f ≥ 1, got n=" + n + ", f=" + f);
    }
    int[] out = new int[f];
    for (int k = 0; k < f; k++) {
      out[k] = (int) Math.floor((k + 0.5) * n / f);
    }
    return out;
  }

  /** The frames of folder {@code dir} to use, {@code frames} of them, in time order. */
  static List<Path> sample(Path dir, int frames) throws BadRecord {
    List<Path> all = list(dir);
    List<Path> out = new ArrayList<>(frames);
    for (int i : uniform(all.size(), frames)) {
      out.add(all.get(i));
    }
    return List.copyOf(out);
  }

  /** Every .jpg/.jpeg/.png file of {@code dir}, in natural name order. */
  static List<Path> list(Path dir) throws BadRecord {
    if (!Files.isDirectory(dir)) {
      throw new BadRecord(Problem.MISSING_MEDIA, "frame folder " + dir + " does not exist");
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = new ArrayList<>(s.filter(FrameFolders::isPicture).toList());
    } catch (IOException e) {
      throw new BadRecord(Problem.MISSING_MEDIA, "cannot list frame folder " + dir + ": " + e);
    }
    if (files.isEmpty()) {
      throw new BadRecord(Problem.MISSING_MEDIA,
          "frame folder " + dir + " holds no .jpg or .png frames");
    }
    files.sort((a, b) -> NaturalOrder.INSTANCE.compare(
        a.getFileName().toString(), b.getFileName().toString()));
    return files;
  }

  private static boolean isPicture(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"))
        && Files.isRegularFile(p);
  }
}
