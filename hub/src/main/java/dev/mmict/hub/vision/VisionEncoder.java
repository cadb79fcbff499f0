package dev.mmict.hub.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import dev.mmict.hub.nn.LayerNorm;
import dev.mmict.hub.nn.Linear;
import dev.mmict.hub.nn.Params;
import java.util.ArrayList;
import java.util.List;
import dev.mmict.hub.nn.Scalars;

/**
 * A small pre-LayerNorm Vision Transformer that turns each image into a CLS token followed by
 * one feature per patch.
 *
 * <p>Shape letters: B batch, F frames per video, C channels, S image side in pixels, p patch
 * side, g = S / p patches per side, N = g² patches, L = 1 + N tokens per image, W width,
 * nh heads, hd = W / nh head width, M MLP hidden size.
 *
 * <p>Parameter names follow timm/EVA under {@code prefix} (the full model uses
 * {@code "visual_encoder."}): {@code cls_token} [1, 1, W], {@code pos_embed} [1, L, W],
 * {@code patch_embed.proj.weight} [W, C, p, p] and {@code .bias} [W], and per block
 * {@code blocks.i.norm1}, {@code blocks.i.attn.qkv} ([3W, W] with a [3W] bias),
 * {@code blocks.i.attn.proj}, {@code blocks.i.norm2}, {@code blocks.i.mlp.fc1}/{@code fc2}.
 * EVA ViT-g itself stores {@code attn.q_bias}/{@code attn.v_bias} and no key bias; loading such
 * a checkpoint needs the key bias written as zeros (a key bias never changes the attention
 * anyway: it adds the same amount to every score of a query row).
 *
 * <p>There is no final LayerNorm: BLIP-2 drops the ViT's last norm and applies its own
 * {@code ln_vision}, which the full model owns.
 *
 * <p>Initialisation: weights normal with std 0.02, biases zero, LayerNorm gains one. timm draws
 * {@code trunc_normal_(std=0.02)} with cut-offs at ±2 in absolute value, i.e. at ±100 std,
 * which truncates nothing in practice, so a plain normal is the same distribution.
 */
public final class VisionEncoder {
  private static final double INIT_STD = 0.02;

  private final Params params;
  private final String prefix;
  private final VitConfig config;
  private final List<Block> blocks = new ArrayList<>();

  /** One transformer block's layers. */
  private record Block(LayerNorm norm1, Linear qkv, Linear proj, LayerNorm norm2, Linear fc1,
      Linear fc2) { }

  /**
   * Declares every parameter under {@code prefix} into {@code params}.
   *
   * @param prefix prepended verbatim to every name, e.g. {@code "visual_encoder."} or {@code ""}
   */
  public VisionEncoder(Params params, String prefix, VitConfig config) {
    this.params = params;
    this.prefix = prefix;
    this.config = config;
    int w = config.width();
    int c = config.channels();
    int p = config.patchSize();
    params.declare(prefix + "cls_token", new Shape(1, 1, w), Params.Init.NORMAL, INIT_STD);
    params.declare(prefix + "pos_embed", new Shape(1, config.tokensPerImage(), w),
        Params.Init.NORMAL, INIT_STD);
    params.declare(prefix + "patch_embed.proj.weight", new Shape(w, c, p, p), Params.Init.NORMAL,
        INIT_STD);
    params.declare(prefix + "patch_embed.proj.bias", new Shape(w), Params.Init.ZEROS, 0);
    double eps = config.layerNormEps();
    int m = config.mlpHidden();
    for (int i = 0; i < config.layers(); i++) {
      String b = prefix + "blocks." + i + ".";
      blocks.add(new Block(
          new LayerNorm(params, b + "norm1", w, eps),
          new Linear(params, b + "attn.qkv", w, 3 * w, true, INIT_STD),
          new Linear(params, b + "attn.proj", w, w, true, INIT_STD),
          new LayerNorm(params, b + "norm2", w, eps),
          new Linear(params, b + "mlp.fc1", w, m, true, INIT_STD),
          new Linear(params, b + "mlp.fc2", m, w, true, INIT_STD)));
    }
  }

  /** The configuration this encoder was built with. */
  public VitConfig config() {
    return config;
  }

  /** The prefix of every parameter name. */
  public String prefix() {
    return prefix;
  }

  /**
   * Encodes a batch of normalised images (see {@link ImageNormalizer}).
   *
   * @param pixels [B, C, S, S] float32
   * @return [B, L, W]: the CLS token then the patches in row-major order
   */
  public NDArray forward(NDArray pixels) {
    checkPixels(pixels.getShape(), 4, "forward(pixels)");
    long batch = pixels.getShape().get(0);
    int w = config.width();
    NDArray patches = patchEmbedUnfold(pixels); // [B, N, W]
    NDArray cls = patches.getManager().zeros(new Shape(batch, 1, w)) // [B, 1, W]
        .add(params.get(prefix + "cls_token")); // [B, 1, W]
    NDArray x = NDArrays.concat(new NDList(cls, patches), 1) // [B, L, W]
        .add(params.get(prefix + "pos_embed")); // [B, L, W]
    for (Block block : blocks) {
      x = x.add(attention(block, block.norm1().forward(x))); // [B, L, W]
      NDArray h = Activation.gelu(block.fc1().forwardPerItem(block.norm2().forward(x))); // [B, L, M]
      x = x.add(block.fc2().forwardPerItem(h)); // [B, L, W]
    }
    return x; // [B, L, W]
  }

  /**
   * Encodes a batch of videos: every frame separately, then the frames' token sequences
   * concatenated along the token axis (no temporal embedding). An image is the one-frame case.
   *
   * @param frames [B, F, C, S, S] float32, normalised
   * @return [B, F·L, W]: frame 0's L tokens, then frame 1's, …
   */
  public NDArray forwardFrames(NDArray frames) {
    Shape s = checkPixels(frames.getShape(), 5, "forwardFrames(frames)");
    long batch = s.get(0);
    long numFrames = s.get(1);
    NDArray flat = frames.reshape(batch * numFrames, s.get(2), s.get(3), s.get(4)); // [B·F, C, S, S]
    NDArray feats = forward(flat); // [B·F, L, W]
    return feats.reshape(batch, numFrames * config.tokensPerImage(), config.width()); // [B, F·L, W]
  }

  /** Multi-head self-attention of one block over the normalised tokens. */
  private NDArray attention(Block block, NDArray xn) {
    Shape s = xn.getShape();
    long batch = s.get(0);
    long len = s.get(1);
    int heads = config.heads();
    int hd = config.headDim();
    NDArray qkv = block.qkv().forwardPerItem(xn) // [B, L, 3W]
        .reshape(batch, len, 3, heads, hd) // [B, L, 3, nh, hd]
        .transpose(2, 0, 3, 1, 4); // [3, B, nh, L, hd]
    NDArray q = Scalars.mul(qkv.get(0), (float) (1.0 / Math.sqrt(hd))); // [B, nh, L, hd]
    NDArray kT = qkv.get(1).transpose(0, 1, 3, 2); // [B, nh, hd, L]
    NDArray v = qkv.get(2); // [B, nh, L, hd]
    NDArray attn = q.matMul(kT).softmax(-1); // [B, nh, L, L]
    NDArray out = attn.matMul(v) // [B, nh, L, hd]
        .transpose(0, 2, 1, 3) // [B, L, nh, hd]
        .reshape(batch, len, config.width()); // [B, L, W]
    return block.proj().forwardPerItem(out); // [B, L, W]
  }

  /**
   * Patch embedding as a convolution with kernel and stride p: [B, C, S, S] to [B, N, W]. Same
   * values as {@link #patchEmbedUnfold}, which {@link #forward} uses; kept to check the two
   * against each other.
   */
  NDArray patchEmbedConv(NDArray pixels) {
    int p = config.patchSize();
    NDArray y = Conv2d.conv2d(pixels, params.get(prefix + "patch_embed.proj.weight"),
        params.get(prefix + "patch_embed.proj.bias"), new Shape(p, p)).singletonOrThrow(); // [B, W, g, g]
    return y.reshape(pixels.getShape().get(0), config.width(), config.numPatches()) // [B, W, N]
        .transpose(0, 2, 1); // [B, N, W]
  }

  /**
   * Patch embedding by unfolding the patches and a per-image product against the flattened
   * kernel: [B, C, S, S] to [B, N, W].
   *
   * <p>Why not the convolution: the encoder must give a picture the same bits in any batch (see
   * {@link Linear#perItem}), and a convolution's kernels may be chosen by the batch size. Unfolded,
   * each image's product has one shape. Speed was not the reason either way: measured here (DJL
   * 0.36, PyTorch CPU, one thread, 48 images) the two were within noise, unfold ahead by ~0.2 ms
   * at 32 px/width 64 and conv ahead by ~1 ms at 64 px/width 128, either under 5% of the encoder.
   */
  NDArray patchEmbedUnfold(NDArray pixels) {
    long batch = pixels.getShape().get(0);
    int c = config.channels();
    int p = config.patchSize();
    int g = config.gridSize();
    NDArray cols = pixels.reshape(batch, c, g, p, g, p) // [B, C, g, p, g, p]
        .transpose(0, 2, 4, 1, 3, 5) // [B, g, g, C, p, p]
        .reshape(batch, (long) g * g, (long) c * p * p); // [B, N, C·p·p]
    NDArray kernel = params.get(prefix + "patch_embed.proj.weight")
        .reshape(config.width(), (long) c * p * p); // [W, C·p·p]
    kernel.attach(cols.getManager()); // a per-call view: let it die with the activations
    return Linear.perItem(cols, kernel, params.get(prefix + "patch_embed.proj.bias")); // [B, N, W]
  }

  private Shape checkPixels(Shape s, int rank, String where) {
    if (s.dimension() != rank) {
      throw new IllegalArgumentException("vision " + where + ": expected rank " + rank
          + " input, got shape " + s);
    }
    int off = rank - 3;
    if (s.get(off) != config.channels() || s.get(off + 1) != config.imageSize()
        || s.get(off + 2) != config.imageSize()) {
      throw new IllegalArgumentException("vision " + where + ": expected [..., "
          + config.channels() + ", " + config.imageSize() + ", " + config.imageSize()
          + "] pixels, got shape " + s);
    }
    return s;
  }
}
