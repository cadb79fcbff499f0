package dev.mmict.hub.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.mmict.hub.nn.Embedding;
import dev.mmict.hub.nn.LayerNorm;
import dev.mmict.hub.nn.Linear;
import dev.mmict.hub.nn.Params;
import java.util.ArrayList;
import java.util.List;
import dev.mmict.hub.nn.Scalars;

/**
 * An OPT-layout causal language model fed embeddings directly, as BLIP-2 and MMICT feed it: a
 * prefix of soft embeddings (projected M-Hub outputs) followed by token embeddings.
 *
 * <p>Parameters use Hugging Face's OPT names under {@code prefix} ({@code ""} for a bare
 * {@code OPTForCausalLM} checkpoint, {@code "opt_model."} inside BLIP-2).
 *
 * <p>Shapes: B batch, N sequence positions (prefix + tokens), T tokens, H hidden, NH heads,
 * D head width, F feed-forward width, V vocabulary.
 */
public final class OptLM implements dev.mmict.hub.generation.CausalLm {
  /** Hugging Face OPT reserves the first two rows of the position table. */
  private static final int POSITION_OFFSET = 2;
  /** The additive bias of a masked score (torch.finfo(float32).min, as Hugging Face uses). */
  private static final float MASKED = -Float.MAX_VALUE;
  /** The label that marks a position without a target. */
  public static final long IGNORE_INDEX = -100;

  private final OptConfig cfg;
  private final Params params;
  private final Embedding tokens;
  private final Embedding positions;
  private final List<DecoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalNorm;

  /** One pre-LayerNorm decoder block. */
  private record DecoderLayer(LayerNorm attnNorm, Linear q, Linear k, Linear v, Linear out,
      LayerNorm ffnNorm, Linear fc1, Linear fc2) {
  }

  /** Declares every parameter under {@code prefix + "model.decoder."} (std 0.02 matrices). */
  public OptLM(Params params, OptConfig cfg, String prefix) {
    this.cfg = cfg;
    this.params = params;
    int h = cfg.hiddenSize();
    double eps = cfg.layerNormEps();
    String d = prefix + "model.decoder.";
    this.tokens = new Embedding(params, d + "embed_tokens.weight", cfg.vocabSize(), h, 0.02);
    this.positions = new Embedding(params, d + "embed_positions.weight",
        cfg.maxPositionEmbeddings() + POSITION_OFFSET, h, 0.02);
    for (int l = 0; l < cfg.numHiddenLayers(); l++) {
      String p = d + "layers." + l + ".";
      layers.add(new DecoderLayer(
          new LayerNorm(params, p + "self_attn_layer_norm", h, eps),
          new Linear(params, p + "self_attn.q_proj", h, h, true, 0.02),
          new Linear(params, p + "self_attn.k_proj", h, h, true, 0.02),
          new Linear(params, p + "self_attn.v_proj", h, h, true, 0.02),
          new Linear(params, p + "self_attn.out_proj", h, h, true, 0.02),
          new LayerNorm(params, p + "final_layer_norm", h, eps),
          new Linear(params, p + "fc1", h, cfg.ffnDim(), true, 0.02),
          new Linear(params, p + "fc2", cfg.ffnDim(), h, true, 0.02)));
    }
    this.finalNorm = new LayerNorm(params, d + "final_layer_norm", h, eps);
  }

  /** The configuration. */
  public OptConfig config() {
    return cfg;
  }

  /** The parameters this model declared into (shared with other parts of a larger model). */
  public Params params() {
    return params;
  }

  /** The token embedding table, [V, H] (also the tied output projection). */
  public NDArray embedTable() {
    return tokens.table(); // [V, H]
  }

  /** Token embeddings of integer ids: [B, T] to [B, T, H]. */
  @Override
  public NDArray embedTokens(NDArray ids) {
    return tokens.forward(ids); // [B, T, H]
  }

  /**
   * Logits of every position.
   *
   * @param inputsEmbeds [B, N, H] prefix and token embeddings
   * @param attentionMask [B, N], 1 for real positions and 0 for padding (any numeric type)
   * @return [B, N, V]
   */
  @Override
  public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask) {
    return logits(hiddenStates(inputsEmbeds, attentionMask)); // [B, N, V]
  }

  /**
   * Logits at each row's last real position (the highest index whose mask is 1), for
   * generation with left or right padding: [B, N, H] and [B, N] to [B, V].
   */
  public NDArray lastLogits(NDArray inputsEmbeds, NDArray attentionMask) {
    NDArray hidden = hiddenStates(inputsEmbeds, attentionMask); // [B, N, H]
    long b = hidden.getShape().get(0);
    long n = hidden.getShape().get(1);
    NDManager m = hidden.getManager();
    NDArray index = m.arange(0, n, 1, DataType.INT64) // [N]
        .mul(attentionMask.toType(DataType.INT64, false)) // [B, N]
        .max(new int[] {1}, true) // [B, 1]
        .expandDims(2) // [B, 1, 1]
        .repeat(2, cfg.hiddenSize()); // [B, 1, H]
    NDArray last = hidden.gather(index, 1).reshape(b, cfg.hiddenSize()); // [B, H]
    return logits(last); // [B, V]
  }

  /** Final-LayerNormed hidden states: [B, N, H] and mask [B, N] to [B, N, H]. */
  public NDArray hiddenStates(NDArray inputsEmbeds, NDArray attentionMask) {
    Shape s = inputsEmbeds.getShape();
    if (s.dimension() != 3 || s.get(2) != cfg.hiddenSize()) {
      throw new IllegalArgumentException("OptLM: inputs_embeds must be [B, N, " + cfg.hiddenSize()
          + "], got " + s);
    }
    if (!attentionMask.getShape().equals(new Shape(s.get(0), s.get(1)))) {
      throw new IllegalArgumentException("OptLM: attention_mask must be [B, N] = " + s.slice(0, 2)
          + ", got " + attentionMask.getShape());
    }
    long b = s.get(0);
    long n = s.get(1);
    int heads = cfg.numAttentionHeads();
    int hd = cfg.headDim();
    float scale = (float) Math.pow(hd, -0.5);

    NDArray maskLong = attentionMask.toType(DataType.INT64, false); // [B, N]
    NDArray positionIds = maskLong.cumSum(1).mul(maskLong) // [B, N] 1-based over real positions
        .add(POSITION_OFFSET - 1).maximum(0); // [B, N] padding sits at 0 (clamped)
    if (n > 0 && positionIds.max().getLong() >= cfg.maxPositionEmbeddings() + POSITION_OFFSET) {
      throw new IllegalArgumentException("OptLM: " + n + " positions exceed max_position_embeddings "
          + cfg.maxPositionEmbeddings());
    }
    NDArray x = inputsEmbeds.add(positions.forward(positionIds)); // [B, N, H]
    NDArray bias = attentionBias(attentionMask.toType(DataType.FLOAT32, false), n); // [B, 1, N, N]

    for (DecoderLayer layer : layers) {
      NDArray h = layer.attnNorm().forward(x); // [B, N, H]
      NDArray q = splitHeads(Scalars.mul(layer.q().forward(h), scale), b, n, heads, hd); // [B, NH, N, D]
      NDArray k = splitHeads(layer.k().forward(h), b, n, heads, hd); // [B, NH, N, D]
      NDArray v = splitHeads(layer.v().forward(h), b, n, heads, hd); // [B, NH, N, D]
      NDArray scores = Scalars.maximum(q.matMul(k.transpose(0, 1, 3, 2)) // [B, NH, N, N]
          .add(bias), MASKED); // [B, NH, N, N] as Hugging Face clamps, keeps -inf out
      NDArray ctx = scores.softmax(-1).matMul(v) // [B, NH, N, D]
          .transpose(0, 2, 1, 3).reshape(b, n, cfg.hiddenSize()); // [B, N, H]
      x = x.add(layer.out().forward(ctx)); // [B, N, H]
      NDArray f = layer.ffnNorm().forward(x); // [B, N, H]
      x = x.add(layer.fc2().forward(Activation.relu(layer.fc1().forward(f)))); // [B, N, H]
    }
    return finalNorm.forward(x); // [B, N, H]
  }

  /** Tied lm_head: [..., H] to [..., V]. */
  public NDArray logits(NDArray hidden) {
    return ai.djl.nn.core.Linear.linear(hidden, tokens.table()).singletonOrThrow(); // [..., V]
  }

  /** Causal plus key-padding bias: 0 where attending is allowed, float32 min elsewhere. */
  private static NDArray attentionBias(NDArray maskFloat, long n) {
    NDManager m = maskFloat.getManager();
    NDArray idx = m.arange(0, n, 1, DataType.INT64); // [N]
    NDArray causal = idx.reshape(n, 1).gte(idx.reshape(1, n)) // [N, N] key <= query
        .toType(DataType.FLOAT32, false); // [N, N]
    NDArray allowed = causal.expandDims(0).mul(maskFloat.expandDims(1)); // [B, N, N]
    return allowed.neg().add(1f).mul(MASKED).expandDims(1); // [B, 1, N, N]
  }

  private static NDArray splitHeads(NDArray x, long b, long n, int heads, int hd) {
    return x.reshape(b, n, heads, hd).transpose(0, 2, 1, 3); // [B, NH, N, D]
  }

  /**
   * Next-token cross-entropy: position {@code t}'s logits predict {@code labels[t + 1]}; labels
   * equal to {@link #IGNORE_INDEX} (-100: prefix, prompt, padding) contribute nothing.
   *
   * @param logits [B, N, V]
   * @param labels [B, N] int64, aligned with the inputs (not shifted)
   * @return a scalar
   * @throws IllegalArgumentException when no label is a target
   */
  public static NDArray nextTokenLoss(NDArray logits, NDArray labels, Reduction reduction) {
    long n = logits.getShape().get(1);
    if (!labels.getShape().equals(logits.getShape().slice(0, 2))) {
      throw new IllegalArgumentException("nextTokenLoss: labels " + labels.getShape()
          + " do not match logits " + logits.getShape() + " in [B, N]");
    }
    NDArray predicting = logits.get(":, 0:{}", n - 1); // [B, N-1, V]
    NDArray targets = labels.toType(DataType.INT64, false).get(":, 1:"); // [B, N-1]
    NDArray valid = targets.neq(IGNORE_INDEX).toType(DataType.FLOAT32, false); // [B, N-1]
    float count = valid.sum().getFloat();
    if (count == 0) {
      throw new IllegalArgumentException("nextTokenLoss: every label is ignored (-100);"
          + " there is nothing to predict");
    }
    NDArray safeTargets = targets.mul(valid.toType(DataType.INT64, false)); // [B, N-1] -100 -> 0
    NDArray logProbs = predicting.logSoftmax(-1); // [B, N-1, V]
    NDArray nll = logProbs.gather(safeTargets.expandDims(2), 2).squeeze(2) // [B, N-1]
        .neg().mul(valid); // [B, N-1]
    return switch (reduction) {
      case TOKEN_MEAN -> Scalars.div(nll.sum(), count); // []
      case SEQUENCE_MEAN -> {
        NDArray perSeqCount = valid.sum(new int[] {1}); // [B]
        NDArray hasTarget = perSeqCount.gt(0f).toType(DataType.FLOAT32, false); // [B]
        NDArray perSeq = nll.sum(new int[] {1}).div(perSeqCount.maximum(1f)); // [B]
        yield perSeq.mul(hasTarget).sum().div(hasTarget.sum()); // []
      }
    };
  }
}
