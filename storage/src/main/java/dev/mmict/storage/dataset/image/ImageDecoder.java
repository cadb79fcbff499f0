package dev.mmict.storage.dataset.image;

import dev.mmict.storage.dataset.Frame;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG and PNG files (whatever javax.imageio reads) into 3-channel {@link Frame}s with
 * values in [0, 1]: grey pictures are replicated to R, G and B, an alpha channel is dropped
 * (the colour values are kept as stored, not blended onto a background), 16-bit samples are
 * scaled by 65535.
 *
 * <p>Grey and RGB rasters are read sample by sample rather than through {@code
 * BufferedImage.getRGB}, which would pass grey values through a linear-to-sRGB conversion and
 * change them. A decoder warning (a truncated JPEG decodes with a warning and grey filler) is
 * treated as an error: a half-grey picture must not pass as data.
 */
public final class ImageDecoder {

  private ImageDecoder() {}

  /** Size of a picture read from its header only, pixels. */
  public record Size(int width, int height) {}

  /** The picture in {@code file}, [3, H, W] floats in [0, 1]. */
  public static Frame decode(Path file) {
    BufferedImage image = read(file);
    return toFrame(image, file);
  }

  /**
   * The picture's size from its header, without decoding pixels: a cheap check that the file
   * exists and is a picture ImageIO can read.
   */
  public static Size readSize(Path file) {
    try {
      ImageInputStream in = open(file);
      try {
        ImageReader reader = reader(in, file);
        try {
          reader.setInput(in, true, true);
          return new Size(reader.getWidth(0), reader.getHeight(0));
        } finally {
          reader.dispose();
        }
      } finally {
        in.close();
      }
    } catch (IOException e) {
      throw new ImageDecodeException(file, "unreadable image header: " + e.getMessage(), e);
    }
  }

  private static BufferedImage read(Path file) {
    try {
      ImageInputStream in = open(file);
      try {
        ImageReader reader = reader(in, file);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener(new WarningCollector(warnings));
        try {
          reader.setInput(in, true, true);
          BufferedImage image = reader.read(0);
          if (!warnings.isEmpty()) {
            throw new ImageDecodeException(file,
                "damaged image (decoder warning: " + String.join("; ", warnings) + ")", null);
          }
          return image;
        } finally {
          reader.dispose();
        }
      } finally {
        in.close();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ImageDecodeException d) {
        throw d;
      }
      throw new ImageDecodeException(file, "cannot decode image: " + e, e);
    }
  }

  private static ImageInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ImageDecodeException(file, "no such image file", null);
    }
    ImageInputStream in = ImageIO.createImageInputStream(file.toFile());
    if (in == null) {
      throw new ImageDecodeException(file, "cannot open image file", null);
    }
    return in;
  }

  private static ImageReader reader(ImageInputStream in, Path file) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new ImageDecodeException(file,
          "not a JPEG or PNG image (no ImageIO reader recognises its content)", null);
    }
    return readers.next();
  }

  /** Converts a decoded picture to [3, H, W] floats. */
  static Frame toFrame(BufferedImage image, Path file) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    float[] out = new float[3 * plane];
    Raster raster = image.getRaster();
    int bands = raster.getNumBands();
    boolean indexed = image.getColorModel() instanceof IndexColorModel;
    if (!indexed && (bands == 1 || bands == 2)) {
      // Grey, or grey + alpha: replicate the grey band.
      float scale = 1f / ((1 << raster.getSampleModel().getSampleSize(0)) - 1);
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          float v = row[x] * scale;
          out[y * w + x] = v;
          out[plane + y * w + x] = v;
          out[2 * plane + y * w + x] = v;
        }
      }
    } else if (!indexed && (bands == 3 || bands == 4)
        && image.getColorModel().getColorSpace().isCS_sRGB()) {
      // RGB or RGBA (the raster's bands are in R, G, B order whatever the byte layout).
      int[] row = new int[w];
      for (int c = 0; c < 3; c++) {
        float scale = 1f / ((1 << raster.getSampleModel().getSampleSize(c)) - 1);
        for (int y = 0; y < h; y++) {
          raster.getSamples(0, y, w, 1, c, row);
          for (int x = 0; x < w; x++) {
            out[c * plane + y * w + x] = row[x] * scale;
          }
        }
      }
    } else {
      // Palette pictures and anything else: let the colour model produce sRGB.
      int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
      for (int i = 0; i < plane; i++) {
        out[i] = ((argb[i] >> 16) & 0xFF) / 255f;
        out[plane + i] = ((argb[i] >> 8) & 0xFF) / 255f;
        out[2 * plane + i] = (argb[i] & 0xFF) / 255f;
      }
    }
    return new Frame(3, h, w, out);
  }

  /** Collects decoder warnings (ImageIO reports damage such as truncation only this way). */
  private record WarningCollector(List<String> warnings) implements IIOReadWarningListener {
    @Override
    public void warningOccurred(ImageReader source, String warning) {
      warnings.add(warning);
    }
  }
}
