package dev.mmict.hub.mhub;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.nn.Embedding;
import dev.mmict.hub.nn.LayerNorm;
import dev.mmict.hub.nn.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * The M-Hub: an instruction-aware Q-Former in the BLIP-2 layout. Learned query tokens and the
 * text tokens attend to each other in every layer; every {@code cross_attention_freq}-th layer
 * the queries (only) also attend to the image features; queries and text then pass separate
 * feed-forward blocks. Its output rows {@code 0..Q-1} are the textual-guided visual features and
 * rows {@code Q..} the visual-guided textual features.
 *
 * <p>Parameters use BERT / BLIP-2 names under {@code bertPrefix} ({@code "bert."} in the oracle,
 * {@code "Qformer.bert."} in LAVIS checkpoints).
 *
 * <p>Shapes: B batch, V visual tokens, E image feature width, Q query tokens, T text tokens,
 * H hidden.
 */
public final class MHub {
  /** BERT's additive score bias for a padding key. */
  private static final float PADDING_BIAS = -10000f;

  private final MHubConfig cfg;
  private final Params params;
  private final String queryTokensName;
  private final Embedding words;
  private final Embedding positions;
  private final LayerNorm embeddingNorm;
  private final List<Layer> layers = new ArrayList<>();

  /** One encoder layer; {@code cross} is null on layers without cross-attention. */
  private record Layer(BertAttention self, BertAttention cross, BertFeedForward queryFfn,
      BertFeedForward textFfn) {
  }

  /**
   * Declares every parameter: {@code queryTokensName} [1, Q, H], the embeddings and
   * {@code encoder.layer.{l}.*} under {@code bertPrefix}. Matrices and embeddings start normal
   * with std 0.02 (BERT's initializer range), biases at zero, LayerNorm gains at one.
   */
  public MHub(Params params, MHubConfig cfg, String bertPrefix, String queryTokensName) {
    this.cfg = cfg;
    this.params = params;
    this.queryTokensName = queryTokensName;
    int h = cfg.hiddenSize();
    params.declare(queryTokensName, new Shape(1, cfg.numQueryTokens(), h), Params.Init.NORMAL, 0.02);
    String e = bertPrefix + "embeddings.";
    this.words = new Embedding(params, e + "word_embeddings.weight", cfg.vocabSize(), h, 0.02);
    this.positions = new Embedding(params, e + "position_embeddings.weight",
        cfg.maxPositionEmbeddings(), h, 0.02);
    this.embeddingNorm = new LayerNorm(params, e + "LayerNorm", h, cfg.layerNormEps());
    for (int l = 0; l < cfg.numHiddenLayers(); l++) {
      String p = bertPrefix + "encoder.layer." + l + ".";
      layers.add(new Layer(
          new BertAttention(params, p + "attention.", cfg, h),
          cfg.hasCrossAttention(l)
              ? new BertAttention(params, p + "crossattention.", cfg, cfg.encoderWidth()) : null,
          new BertFeedForward(params, p, "_query", cfg),
          new BertFeedForward(params, p, "", cfg)));
    }
  }

  /** The configuration. */
  public MHubConfig config() {
    return cfg;
  }

  /**
   * Runs queries and instruction text through the M-Hub.
   *
   * @param imageEmbeds [B, V, E] frozen image features
   * @param textIds [B, T] int64 token ids (T may be 0: then this is {@link #forwardQueriesOnly})
   * @param textMask [B, T], 1 for real tokens and 0 for padding (any numeric type)
   * @return the last hidden state [B, Q + T, H]
   */
  public NDArray forward(NDArray imageEmbeds, NDArray textIds, NDArray textMask) {
    checkImage(imageEmbeds);
    long b = imageEmbeds.getShape().get(0);
    if (textIds.getShape().dimension() != 2 || textIds.getShape().get(0) != b) {
      throw new IllegalArgumentException("M-Hub: text ids must be [B, T] with B = " + b + ", got "
          + textIds.getShape());
    }
    if (!textMask.getShape().equals(textIds.getShape())) {
      throw new IllegalArgumentException("M-Hub: text mask " + textMask.getShape()
          + " does not match text ids " + textIds.getShape());
    }
    long t = textIds.getShape().get(1);
    if (t == 0) {
      return forwardQueriesOnly(imageEmbeds); // [B, Q, H]
    }
    if (t > cfg.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("M-Hub: " + t + " text tokens exceed max_position_embeddings "
          + cfg.maxPositionEmbeddings());
    }
    int q = cfg.numQueryTokens();
    NDManager m = imageEmbeds.getManager();
    NDArray positionIds = m.arange(0, t, 1, DataType.INT64); // [T], from 0 at the first token
    NDArray text = words.forward(textIds.toType(DataType.INT64, false)) // [B, T, H]
        .add(positions.forward(positionIds)); // [B, T, H]
    NDArray x = embeddingNorm.forward(concat(queryTokens(m, b), text)); // [B, Q+T, H]
    NDArray keyMask = concat(m.ones(new Shape(b, q)),
        textMask.toType(DataType.FLOAT32, false)); // [B, Q+T]
    NDArray keyBias = keyMask.neg().add(1f).mul(PADDING_BIAS) // [B, Q+T]
        .reshape(b, 1, 1, q + t); // [B, 1, 1, Q+T]

    for (Layer layer : layers) {
      x = layer.self().forward(x, x, keyBias); // [B, Q+T, H]
      NDArray queries = x.get(":, 0:{}", q); // [B, Q, H]
      NDArray texts = x.get(":, {}:", q); // [B, T, H]
      if (layer.cross() != null) {
        queries = layer.cross().forward(queries, imageEmbeds, null); // [B, Q, H]
      }
      x = concat(layer.queryFfn().forward(queries), layer.textFfn().forward(texts)); // [B, Q+T, H]
    }
    return x; // [B, Q+T, H]
  }

  /**
   * The queries-only Q-Former (no instruction text), as VanillaICT and image-only features use:
   * [B, V, E] to [B, Q, H]. Equal to {@link #forward} with an empty text.
   */
  public NDArray forwardQueriesOnly(NDArray imageEmbeds) {
    checkImage(imageEmbeds);
    long b = imageEmbeds.getShape().get(0);
    NDArray x = embeddingNorm.forward(queryTokens(imageEmbeds.getManager(), b)); // [B, Q, H]
    for (Layer layer : layers) {
      x = layer.self().forward(x, x, null); // [B, Q, H]
      if (layer.cross() != null) {
        x = layer.cross().forward(x, imageEmbeds, null); // [B, Q, H]
      }
      x = layer.queryFfn().forward(x); // [B, Q, H]
    }
    return x; // [B, Q, H]
  }

  /** The learned queries repeated over the batch, as an activation: [B, Q, H]. */
  private NDArray queryTokens(NDManager m, long b) {
    // zeros + parameter keeps the result on the activations' manager, with gradient to the queries
    return m.zeros(new Shape(b, cfg.numQueryTokens(), cfg.hiddenSize()))
        .add(params.get(queryTokensName)); // [B, Q, H]
  }

  private void checkImage(NDArray imageEmbeds) {
    Shape s = imageEmbeds.getShape();
    if (s.dimension() != 3 || s.get(2) != cfg.encoderWidth()) {
      throw new IllegalArgumentException("M-Hub: image embeds must be [B, V, " + cfg.encoderWidth()
          + "], got " + s);
    }
  }

  private static NDArray concat(NDArray first, NDArray second) {
    return NDArrays.concat(new NDList(first, second), 1); // [B, N1+N2, ...]
  }
}
