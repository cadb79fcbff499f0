package dev.mmict.storage.dataset.synth;

import dev.mmict.storage.dataset.draw.ShapeKind;
import dev.mmict.storage.dataset.fmnist.FashionMnist;
import java.util.List;
import java.util.random.RandomGenerator;

/** Makes the object instance of a class: a drawn shape, or a random Fashion-MNIST picture. */
interface SpriteSource {

  /** An instance of class {@code classIndex} for {@code split}, chosen with {@code random}. */
  Sprite sprite(int classIndex, String split, RandomGenerator random);

  /** Shapes: the instance is the shape itself (size, place and colour vary elsewhere). */
  static SpriteSource shapes(List<String> words) {
    ShapeKind[] kinds = words.stream().map(ShapeKind::parse).toArray(ShapeKind[]::new);
    return (classIndex, split, random) -> {
      ShapeKind kind = kinds[classIndex];
      return (canvas, cx, cy, d, rgb) -> canvas.paintShape(kind, cx, cy, d, rgb);
    };
  }

  /** Fashion-MNIST: a uniformly chosen picture of the class from the split's images. */
  static SpriteSource fmnist(FashionMnist data) {
    return (classIndex, split, random) -> {
      int[] candidates = data.indicesOf(split, classIndex);
      if (candidates.length == 0) {
        throw new IllegalStateException(
            "Fashion-MNIST in " + data.dir() + " has no image of class " + classIndex + " in split "
                + split);
      }
      int image = candidates[random.nextInt(candidates.length)];
      byte[] pixels = data.pixels(split);
      int offset = data.offset(split, image);
      return (canvas, cx, cy, d, rgb) -> canvas.paintGrey(
          pixels, offset, FashionMnist.SIDE, FashionMnist.SIDE, cx, cy, d, rgb);
    };
  }
}
