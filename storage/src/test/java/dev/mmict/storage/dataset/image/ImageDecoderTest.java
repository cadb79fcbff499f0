package dev.mmict.storage.dataset.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Frame;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

  @TempDir Path dir;

  private Path write(BufferedImage image, String format, String name) throws IOException {
    Path file = dir.resolve(name);
    assertTrue(ImageIO.write(image, format, file.toFile()), "no ImageIO writer for " + format);
    return file;
  }

  @Test
  void rgbPngIsExactAndChannelMajor() throws IOException {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0xFF0000);
    img.setRGB(2, 1, 0x00FF80);
    img.setRGB(1, 0, 0x336699);
    Frame f = ImageDecoder.decode(write(img, "png", "a.png"));
    assertEquals(3, f.channels());
    assertEquals(2, f.height());
    assertEquals(3, f.width());
    assertEquals(1f, f.at(0, 0, 0));
    assertEquals(0f, f.at(1, 0, 0));
    assertEquals(0f, f.at(0, 1, 2));
    assertEquals(1f, f.at(1, 1, 2));
    assertEquals(128 / 255f, f.at(2, 1, 2), 1e-7);
    assertEquals(0x33 / 255f, f.at(0, 0, 1), 1e-7);
    assertEquals(0x66 / 255f, f.at(1, 0, 1), 1e-7);
    assertEquals(0x99 / 255f, f.at(2, 0, 1), 1e-7);
  }

  @Test
  void greyIsReplicatedWithoutGammaChange() throws IOException {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setSample(0, 0, 0, 128);
    img.getRaster().setSample(1, 0, 0, 7);
    Frame f = ImageDecoder.decode(write(img, "png", "g.png"));
    for (int c = 0; c < 3; c++) {
      assertEquals(128 / 255f, f.at(c, 0, 0), 1e-7);
      assertEquals(7 / 255f, f.at(c, 0, 1), 1e-7);
    }
  }

  @Test
  void sixteenBitGreyIsScaledBy65535() throws IOException {
    BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
    img.getRaster().setSample(0, 0, 0, 40000);
    Frame f = ImageDecoder.decode(write(img, "png", "g16.png"));
    assertEquals(40000 / 65535f, f.at(1, 0, 0), 1e-6);
  }

  @Test
  void alphaIsDroppedAndColourKept() throws IOException {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    img.setRGB(0, 0, 0x00FF0000); // fully transparent red
    img.setRGB(1, 0, 0x8000FF00); // half-transparent green
    Frame f = ImageDecoder.decode(write(img, "png", "rgba.png"));
    assertEquals(3, f.channels());
    assertEquals(1f, f.at(0, 0, 0));
    assertEquals(1f, f.at(1, 0, 1));
    assertEquals(0f, f.at(0, 0, 1));
  }

  @Test
  void palettePngUsesItsColours() throws IOException {
    byte[] r = {0, (byte) 200};
    byte[] g = {0, 10};
    byte[] b = {0, 50};
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY,
        new IndexColorModel(1, 2, r, g, b));
    img.getRaster().setSample(1, 0, 0, 1);
    Frame f = ImageDecoder.decode(write(img, "png", "pal.png"));
    assertEquals(200 / 255f, f.at(0, 0, 1), 1e-7);
    assertEquals(10 / 255f, f.at(1, 0, 1), 1e-7);
    assertEquals(50 / 255f, f.at(2, 0, 1), 1e-7);
    assertEquals(0f, f.at(0, 0, 0));
  }

  @Test
  void jpegColourAndGreyDecodeClose() throws IOException {
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        img.setRGB(x, y, 0xC83214);
      }
    }
    Frame f = ImageDecoder.decode(write(img, "jpg", "c.jpg"));
    assertEquals(0xC8 / 255f, f.at(0, 8, 8), 0.03);
    assertEquals(0x32 / 255f, f.at(1, 8, 8), 0.03);
    assertEquals(0x14 / 255f, f.at(2, 8, 8), 0.03);
    BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        grey.getRaster().setSample(x, y, 0, 90);
      }
    }
    Frame g = ImageDecoder.decode(write(grey, "jpg", "g.jpg"));
    assertEquals(90 / 255f, g.at(2, 4, 4), 0.02);
    assertEquals(g.at(0, 4, 4), g.at(2, 4, 4));
  }

  @Test
  void headerGivesTheSize() throws IOException {
    Path file = write(new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB), "jpg", "s.jpg");
    assertEquals(new ImageDecoder.Size(7, 5), ImageDecoder.readSize(file));
  }

  @Test
  void notAnImageNamesTheFile() throws IOException {
    Path file = Files.writeString(dir.resolve("x.jpg"), "this is text, not a picture");
    ImageDecodeException e = assertThrows(ImageDecodeException.class,
        () -> ImageDecoder.decode(file));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not a JPEG or PNG"), e.getMessage());
    assertThrows(ImageDecodeException.class, () -> ImageDecoder.readSize(file));
    ImageDecodeException missing = assertThrows(ImageDecodeException.class,
        () -> ImageDecoder.decode(dir.resolve("nope.png")));
    assertTrue(missing.getMessage().contains("no such image file"), missing.getMessage());
  }

  @Test
  void truncatedFilesFailInsteadOfDecodingGrey() throws IOException {
    // Noise, so that the pixel data (not the header tables) makes up most of the file.
    java.util.Random random = new java.util.Random(3);
    BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 128; y++) {
      for (int x = 0; x < 128; x++) {
        img.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    for (String format : new String[] {"jpg", "png"}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(img, format, bytes);
      byte[] all = bytes.toByteArray();
      Path file = dir.resolve("cut." + format);
      Files.write(file, Arrays.copyOf(all, all.length / 2));
      // The header is intact: only decoding finds the damage.
      assertEquals(128, ImageDecoder.readSize(file).width());
      ImageDecodeException e = assertThrows(ImageDecodeException.class,
          () -> ImageDecoder.decode(file), format);
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }
  }
}
