package dev.mmict.ops.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/** Checks that a file is a real plot: PNG magic bytes, a decodable picture of the plots' size, not blank. */
public final class PngAssert {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private PngAssert() { }

  /** Asserts {@code file} is a decodable PNG of the plots' size with more than one colour in it. */
  public static void assertPng(Path file) throws Exception {
    assertTrue(Files.isRegularFile(file), file + " missing");
    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 8), file + " is not a PNG");
    assertTrue(bytes.length > 5_000, file + " is only " + bytes.length + " bytes");
    BufferedImage image = ImageIO.read(file.toFile());
    assertEquals(Plots.WIDTH, image.getWidth(), file.toString());
    assertEquals(Plots.HEIGHT, image.getHeight(), file.toString());
    int corner = image.getRGB(0, 0);
    boolean drawn = false;
    for (int y = 0; y < image.getHeight() && !drawn; y += 7) {
      for (int x = 0; x < image.getWidth() && !drawn; x += 7) {
        drawn = image.getRGB(x, y) != corner;
      }
    }
    assertTrue(drawn, file + " is blank");
  }
}
