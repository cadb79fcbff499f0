package dev.mmict.hub.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.assembly.SequencePlan;
import dev.mmict.hub.assembly.SequencePlanner;
import dev.mmict.hub.assembly.Visual;
import dev.mmict.hub.generation.GenerationConfig;
import dev.mmict.hub.generation.Generator;
import dev.mmict.hub.lm.OptLM;
import dev.mmict.hub.mhub.MHub;
import dev.mmict.hub.nn.LayerNorm;
import dev.mmict.hub.nn.Linear;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.vision.VisionEncoder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The BLIP-2-style model MMICT tunes: a ViT ({@code visual_encoder.}), {@code ln_vision}, the
 * M-Hub ({@code Qformer.bert.}, {@code query_tokens}), the projection {@code opt_proj} to the
 * LLM width, the end-of-chunk embedding {@code eoc_token}, and the OPT-layout LLM
 * ({@code opt_model.}). Parameter names follow LAVIS so checkpoints read in PyTorch.
 *
 * <p>Shape letters: I items (demonstrations and queries of a batch), F frames, C channels,
 * S image side, V visual tokens (F·(1+patches)), E vision width, Q query tokens, T padded M-Hub
 * text length, Hq M-Hub width, Hl LLM width, B dialogs, N LLM sequence length, P pool rows.
 */
public final class MmictModel implements AutoCloseable {

  /** Parameters trained by MMICT fine-tuning: everything but the vision encoder and the LLM. */
  public static final Predicate<String> FINETUNED =
      n -> !n.startsWith("visual_encoder.") && !n.startsWith("opt_model.");

  /** What one forward pass produces. */
  public record Outputs(NDArray mhub, NDArray inputs, NDArray mask, NDArray logits) { }

  private final MmictConfig config;
  private final Params params;
  private final VisionEncoder vision;
  private final LayerNorm lnVision;
  private final MHub mhub;
  private final Linear proj;
  private final OptLM llm;
  private final SequencePlanner planner;
  private VisualFeatureStore cache = new FeatureCache();
  private final AtomicLong encodedVisuals = new AtomicLong();
  private final AtomicLong servedVisuals = new AtomicLong();
  private final AtomicLong encoderNanos = new AtomicLong();
  private String visionFingerprint;

  /** Builds a freshly initialised model (every parameter trainable until frozen). */
  public MmictModel(NDManager manager, MmictConfig config, long seed, int padId) {
    this.config = config;
    this.params = new Params(manager, seed);
    this.vision = new VisionEncoder(params, "visual_encoder.", config.vision());
    this.lnVision = new LayerNorm(params, "ln_vision", config.vision().width(), 1e-5);
    this.mhub = new MHub(params, config.mhub(), "Qformer.bert.", "query_tokens");
    this.proj = new Linear(params, "opt_proj", config.mhub().hiddenSize(), config.llm().hiddenSize(), true, 0.02);
    params.declare("eoc_token", new Shape(1, config.llm().hiddenSize()), Params.Init.NORMAL, 0.02);
    this.llm = new OptLM(params, config.llm(), "opt_model.");
    this.planner = new SequencePlanner(config.mhub().numQueryTokens(), padId, config.vgtPadded());
    params.setTrainable(n -> true);
  }

  /** The configuration. */
  public MmictConfig config() {
    return config;
  }

  /** The named parameters. */
  public Params params() {
    return params;
  }

  /** The LLM, for generation. */
  public OptLM llm() {
    return llm;
  }

  /** The assembly planner configured for this model. */
  public SequencePlanner planner() {
    return planner;
  }

  /** Chooses what trains; freezing the vision encoder enables the feature cache. */
  public void setTrainable(Predicate<String> which) {
    params.setTrainable(which);
    boolean visionFrozen = params.all().values().stream()
        .filter(p -> p.name().startsWith("visual_encoder.")).noneMatch(Params.Param::trainable);
    visionFingerprint = visionFrozen ? fingerprint("visual_encoder.") : null;
  }

  /**
   * Where frozen vision features are kept: an in-memory {@link FeatureCache} unless replaced
   * (e.g. by an on-disk store); null turns caching off, so the encoder runs on every visual. The
   * model closes the store it holds when it is closed itself (a replaced store is not closed).
   */
  public void setFeatureStore(VisualFeatureStore store) {
    this.cache = store;
  }

  /** Visuals the vision encoder ran on, and visuals served from the feature store, since this model was made. */
  public record VisualCounts(long encoded, long served) { }

  /** How many visuals the encoder ran on and how many the feature store served (a run's cache hit rate). */
  public VisualCounts visualCounts() {
    return new VisualCounts(encodedVisuals.get(), servedVisuals.get());
  }

  /**
   * Wall-clock nanoseconds spent in the vision encoder's forward pass since this model was made
   * (on the CPU engine operators run synchronously, so this is the encoder's compute); with
   * {@link #visualCounts()} it tells what share of a step the feature store can save.
   */
  public long encoderNanos() {
    return encoderNanos.get();
  }

  /** The fingerprint of the frozen vision encoder the feature store is keyed by, or null while it trains. */
  public String visionFingerprint() {
    return visionFingerprint;
  }

  /** sha256 over the names, shapes and values of the parameters whose names start with prefix. */
  public String fingerprint(String prefix) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Params.Param p : params.all().values()) {
        if (!p.name().startsWith(prefix)) {
          continue;
        }
        md.update(p.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(p.value().getShape().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Params.digestValues(md, p.value());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Runs the vision encoder over every item: [I, F, C, S, S] to [I, V, E]. While the encoder is
   * frozen, items with a key are served from (and added to) the feature cache. An item's features
   * have the same bits in any batch (the encoder computes each image's products on their own), so
   * they never depend on the other items or on what the cache held.
   */
  public NDArray encodeVisuals(NDManager manager, List<Visual> visuals) {
    int frames = visuals.get(0).frames();
    int perFrame = visuals.get(0).pixels().length / frames;
    int c = config.vision().channels();
    int s = config.vision().imageSize();
    if (perFrame != c * s * s) {
      throw new IllegalArgumentException("a frame has " + perFrame + " values; the vision encoder expects "
          + c + "x" + s + "x" + s);
    }
    for (Visual v : visuals) {
      if (v.frames() != frames || v.pixels().length != visuals.get(0).pixels().length) {
        throw new IllegalArgumentException("every item of a batch needs the same number of frames ("
            + frames + "); got " + v.frames());
      }
    }
    VisualFeatureStore store = cache;
    if (visionFingerprint == null || store == null) {
      encodedVisuals.addAndGet(visuals.size());
      return encode(stack(manager, visuals, frames, c, s)); // [I, V, E]
    }
    float[][] rows = new float[visuals.size()][];
    List<Integer> missing = new java.util.ArrayList<>();
    for (int i = 0; i < visuals.size(); i++) {
      Visual v = visuals.get(i);
      rows[i] = v.key() == null ? null : store.get(visionFingerprint, v.key());
      if (rows[i] == null) {
        missing.add(i);
      }
    }
    encodedVisuals.addAndGet(missing.size());
    servedVisuals.addAndGet(visuals.size() - missing.size());
    if (!missing.isEmpty()) {
      // The misses go through the encoder together: it computes every picture's products on their
      // own (Linear.perItem), so a picture's features have the same bits whichever other misses
      // share its batch, and a run's bits do not depend on what the store held before.
      List<Visual> todo = missing.stream().map(visuals::get).toList();
      NDArray feats = encode(stack(manager, todo, frames, c, s)); // [I', V, E]
      float[] flat = feats.toFloatArray();
      int per = flat.length / todo.size();
      for (int j = 0; j < todo.size(); j++) {
        float[] row = java.util.Arrays.copyOfRange(flat, j * per, (j + 1) * per);
        // Use what the store will serve later (float16 on disk), so cold and warm runs agree.
        rows[missing.get(j)] = todo.get(j).key() == null ? row : store.put(visionFingerprint, todo.get(j).key(), row);
      }
    }
    int per = rows[0].length;
    int width = config.vision().width();
    int tokens = per / width;
    float[] all = new float[rows.length * per];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, all, i * per, per);
    }
    return manager.create(all, new Shape(rows.length, tokens, width)); // [I, V, E]
  }

  /** The vision encoder over stacked pixels [I, F, C, S, S], timed. */
  private NDArray encode(NDArray pixels) {
    long start = System.nanoTime();
    NDArray feats = vision.forwardFrames(pixels); // [I, V, E]
    encoderNanos.addAndGet(System.nanoTime() - start);
    return feats;
  }

  private static NDArray stack(NDManager manager, List<Visual> visuals, int frames, int c, int s) {
    int per = visuals.get(0).pixels().length;
    float[] all = new float[visuals.size() * per];
    for (int i = 0; i < visuals.size(); i++) {
      System.arraycopy(visuals.get(i).pixels(), 0, all, i * per, per);
    }
    return manager.create(all, new Shape(visuals.size(), frames, c, s, s)); // [I, F, C, S, S]
  }

  /**
   * Runs the M-Hub over every item of the plan and assembles the LLM input; computes logits
   * when {@code withLogits}.
   *
   * @param features raw vision features [I, V, E] from {@link #encodeVisuals}
   */
  public Outputs forward(SequencePlan plan, NDArray features, boolean withLogits) {
    NDManager m = features.getManager();
    int items = plan.items();
    int t = plan.textLen();
    int hl = config.llm().hiddenSize();
    NDArray image = lnVision.forward(features); // [I, V, E]
    NDArray hub;
    if (t > 0) {
      long[] ids = new long[items * t];
      long[] mask = new long[items * t];
      for (int i = 0; i < items; i++) {
        int[] text = plan.mhubText()[i];
        for (int j = 0; j < text.length; j++) {
          ids[i * t + j] = text[j];
          mask[i * t + j] = 1;
        }
      }
      NDArray textIds = m.create(ids, new Shape(items, t)); // [I, T]
      NDArray textMask = m.create(mask, new Shape(items, t)); // [I, T]
      hub = mhub.forward(image, textIds, textMask); // [I, Q+T, Hq]
    } else {
      hub = mhub.forwardQueriesOnly(image); // [I, Q, Hq]
    }
    NDArray projected = proj.forward(hub).reshape(-1, hl); // [I·(Q+T), Hl]
    NDArray eoc = params.get("eoc_token"); // [1, Hl]
    NDArray table = llm.embedTable(); // [vocab, Hl]
    NDArray pool = NDArrays.concat(new NDList(projected, eoc, table), 0); // [P, Hl]
    NDArray source = m.create(plan.source()); // [B·N]
    NDArray inputs = pool.get(source).reshape(plan.batch(), plan.length(), hl); // [B, N, Hl]
    NDArray mask = m.create(plan.mask(), new Shape(plan.batch(), plan.length())).toType(DataType.INT64, false); // [B, N]
    NDArray logits = withLogits ? llm.forward(inputs, mask) : null; // [B, N, vocab]
    return new Outputs(hub, inputs, mask, logits);
  }

  /** Next-token loss on the plan's labelled positions: mean over dialogs of each dialog's token mean. */
  public NDArray lmLoss(SequencePlan plan, Outputs out) {
    NDManager m = out.logits().getManager();
    NDArray labels = m.create(plan.labels(), new Shape(plan.batch(), plan.length())); // [B, N]
    return OptLM.nextTokenLoss(out.logits(), labels, dev.mmict.hub.lm.Reduction.SEQUENCE_MEAN); // []
  }

  /** Generates a continuation for every dialog of a generation plan. */
  public List<int[]> generate(SequencePlan plan, NDArray features, GenerationConfig generation) {
    Outputs out = forward(plan, features, false);
    return Generator.generate(llm, out.inputs(), out.mask(), generation);
  }

  /** Number of cached visuals (for reports); 0 when caching is off. */
  public int cachedVisuals() {
    VisualFeatureStore store = cache;
    return store == null ? 0 : store.size();
  }

  @Override
  public void close() {
    try {
      VisualFeatureStore store = cache;
      if (store != null) {
        store.close();
      }
    } finally {
      params.close();
    }
  }
}
