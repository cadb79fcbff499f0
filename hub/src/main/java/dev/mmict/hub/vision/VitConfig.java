package dev.mmict.hub.vision;

/**
 * The shape of a {@link VisionEncoder}: a pre-LayerNorm ViT over square images.
 *
 * @param imageSize side of the (square) input image in pixels
 * @param patchSize side of one square patch; must divide {@code imageSize}
 * @param channels input channels (3 for RGB)
 * @param width hidden size W of every token
 * @param layers number of transformer blocks
 * @param heads attention heads; must divide {@code width}
 * @param mlpRatio MLP hidden size as a multiple of {@code width} (EVA ViT-g uses 4.3637)
 * @param layerNormEps epsilon of every LayerNorm (1e-6 in EVA/timm ViTs)
 */
public record VitConfig(int imageSize, int patchSize, int channels, int width, int layers, int heads,
    double mlpRatio, double layerNormEps) {

  /** Validates every field, naming the one that is wrong. */
  public VitConfig {
    positive("imageSize", imageSize);
    positive("patchSize", patchSize);
    positive("channels", channels);
    positive("width", width);
    positive("layers", layers);
    positive("heads", heads);
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException("vision: imageSize " + imageSize
          + " is not divisible by patchSize " + patchSize);
    }
    if (width % heads != 0) {
      throw new IllegalArgumentException("vision: width " + width
          + " is not divisible by heads " + heads);
    }
    if (!(mlpRatio > 0) || Double.isInfinite(mlpRatio)) {
      throw new IllegalArgumentException("vision: mlpRatio must be a positive number, got " + mlpRatio);
    }
    if ((int) (width * mlpRatio) < 1) {
      throw new IllegalArgumentException("vision: width " + width + " × mlpRatio " + mlpRatio
          + " gives an empty MLP");
    }
    if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
      throw new IllegalArgumentException("vision: layerNormEps must be positive, got " + layerNormEps);
    }
  }

  /** A config with 3 channels, MLP ratio 4 and LayerNorm epsilon 1e-6. */
  public static VitConfig of(int imageSize, int patchSize, int width, int layers, int heads) {
    return new VitConfig(imageSize, patchSize, 3, width, layers, heads, 4.0, 1e-6);
  }

  /** Patches along one side of the image. */
  public int gridSize() {
    return imageSize / patchSize;
  }

  /** Patches per image, N. */
  public int numPatches() {
    return gridSize() * gridSize();
  }

  /** Tokens per image including the CLS token, 1 + N. */
  public int tokensPerImage() {
    return 1 + numPatches();
  }

  /** Width of one attention head. */
  public int headDim() {
    return width / heads;
  }

  /** Hidden size of the MLP, {@code floor(width × mlpRatio)} as in timm. */
  public int mlpHidden() {
    return (int) (width * mlpRatio);
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("vision: " + name + " must be positive, got " + value);
    }
  }
}
