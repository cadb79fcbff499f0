package dev.mmict.storage.dataset.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Seeds;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePipelineTest {

  @TempDir Path dir;

  /**
   * A W×H grey PNG with value (6·x + 2·y + offset), below 256 for the sizes used here; asymmetric,
   * so crops and flips show.
   */
  private Path ramp(String name, int w, int h, int offset) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, 6 * x + 2 * y + offset);
      }
    }
    Path file = dir.resolve(name);
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  @Test
  void evalTakesTheCentreSquare() throws IOException {
    // 6×4 → centre square is columns 1..4; at size 4 the scale is 1: pixels are copied.
    Frame f = new ImagePipeline(4, Augmentation.STANDARD).load(List.of(ramp("a.png", 6, 4, 0)),
        null).get(0);
    assertEquals(4, f.width());
    assertEquals(4, f.height());
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        assertEquals((6 * (x + 1) + 2 * y) / 255f, f.at(1, y, x), 1e-6f);
      }
    }
  }

  @Test
  void drawsStayInsideThePictureAndInRange() {
    Augmentation a = new Augmentation(0.3, 0.9, 0.5, 2.0, true);
    SplittableRandom random = new SplittableRandom(1);
    int flips = 0;
    for (int i = 0; i < 500; i++) {
      Augmentation.Draw d = a.draw(random, 40, 30);
      CropBox b = d.box();
      assertTrue(b.x() + b.width() <= 1 + 1e-9 && b.y() + b.height() <= 1 + 1e-9, b.toString());
      double w = b.width() * 40;
      double h = b.height() * 30;
      double area = w * h / (40 * 30);
      // Rounding to whole pixels moves area and ratio a little.
      assertTrue(area > 0.3 * 0.85 && area < 0.9 * 1.15, "area " + area);
      assertTrue(w / h > 0.5 * 0.85 && w / h < 2.0 * 1.15, "ratio " + w / h);
      flips += d.flip() ? 1 : 0;
    }
    assertTrue(flips > 200 && flips < 300, "flips " + flips);
  }

  @Test
  void oneDrawPerClipAndDeterministicFromTheSeed() throws IOException {
    // Frames differ by a constant offset: with one crop and flip for the clip, the outputs differ
    // by exactly that offset everywhere; different crops would differ by a pattern.
    List<Path> clip = List.of(ramp("f0.png", 24, 18, 0), ramp("f1.png", 24, 18, 13),
        ramp("f2.png", 24, 18, 26));
    ImagePipeline p = new ImagePipeline(8, new Augmentation(0.2, 0.6, 0.75, 1.33, true));
    Set<String> distinct = new HashSet<>();
    for (int sample = 0; sample < 12; sample++) {
      List<Frame> frames = p.load(clip, Seeds.random(7, Seeds.of("clip" + sample)));
      for (int k = 1; k < 3; k++) {
        for (int i = 0; i < frames.get(0).pixels().length; i++) {
          assertEquals(13 * k / 255f, frames.get(k).pixels()[i] - frames.get(0).pixels()[i],
              1e-5f, "frame " + k + " of sample " + sample);
        }
      }
      List<Frame> again = p.load(clip, Seeds.random(7, Seeds.of("clip" + sample)));
      assertEquals(frames, again);
      distinct.add(java.util.Arrays.toString(frames.get(0).pixels()));
    }
    assertTrue(distinct.size() > 6, "samples should get different crops, got " + distinct.size());
    // Flips happen: some sample's first row decreases left to right.
    boolean sawFlip = false;
    for (int sample = 0; sample < 12 && !sawFlip; sample++) {
      Frame f = p.load(clip, Seeds.random(7, Seeds.of("clip" + sample))).get(0);
      sawFlip = f.at(0, 0, 0) > f.at(0, 0, 7);
    }
    assertTrue(sawFlip);
    Frame evalFrame = p.load(clip, null).get(0);
    assertNotEquals(evalFrame, p.load(clip, Seeds.random(7, Seeds.of("clip0"))).get(0));
  }
}
