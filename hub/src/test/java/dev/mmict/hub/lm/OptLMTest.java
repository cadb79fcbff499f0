package dev.mmict.hub.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.nn.Params;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OptLMTest {
  private static final OptConfig CFG = new OptConfig(16, 2, 2, 24, 30, 12, 1e-5, 1);
  private NDManager manager;
  private Params params;
  private OptLM lm;

  @BeforeEach
  void build() {
    manager = NDManager.newBaseManager();
    params = new Params(manager, 42);
    // std 0.02 weights make every logit nearly equal; larger ones make the checks meaningful
    lm = new OptLM(params, CFG, "opt_model.");
    params.all().values().forEach(p -> {
      if (p.decays()) {
        p.value().muli(25);
      }
    });
  }

  @AfterEach
  void close() {
    params.close();
    manager.close();
  }

  private NDArray embeds(long b, long n, int seed) {
    manager.getEngine().setRandomSeed(seed);
    return manager.randomNormal(new Shape(b, n, CFG.hiddenSize()));
  }

  @Test
  void declaresHuggingFaceNamesUnderThePrefix() {
    assertTrue(params.contains("opt_model.model.decoder.embed_tokens.weight"));
    assertEquals(new Shape(14, 16),
        params.get("opt_model.model.decoder.embed_positions.weight").getShape());
    assertTrue(params.contains("opt_model.model.decoder.layers.1.self_attn.out_proj.bias"));
    assertTrue(params.contains("opt_model.model.decoder.final_layer_norm.weight"));
    // 2 tables + per layer (4 projections + fc1 + fc2: 12 tensors; 2 norms: 4) + final norm
    assertEquals(2 + 2 * 16 + 2, params.all().size(), "no lm_head: it is tied");
  }

  @Test
  void rightPaddingDoesNotChangeTheRealPositions() {
    NDArray x = embeds(1, 7, 1); // [1, 7, H]
    NDArray mask = manager.create(new long[] {1, 1, 1, 1, 1, 0, 0}, new Shape(1, 7));
    float[] padded = lm.forward(x, mask).get(":, 0:5").toFloatArray();
    float[] alone = lm.forward(x.get(":, 0:5"), manager.ones(new Shape(1, 5))).toFloatArray();
    assertArrayEquals(alone, padded, 1e-5f);
  }

  @Test
  void leftPaddingKeepsPositionsAndLastLogitsPicksTheLastRealPosition() {
    NDArray x = embeds(1, 5, 2); // [1, 5, H]
    NDArray zeros = manager.zeros(new Shape(1, 2, CFG.hiddenSize()));
    NDArray leftPadded = zeros.concat(x, 1); // [1, 7, H]
    NDArray leftMask = manager.create(new long[] {0, 0, 1, 1, 1, 1, 1}, new Shape(1, 7));
    float[] alone = lm.forward(x, manager.ones(new Shape(1, 5))).get(":, 4").toFloatArray();
    assertArrayEquals(alone, lm.forward(leftPadded, leftMask).get(":, 6").toFloatArray(), 1e-5f);
    assertArrayEquals(alone, lm.lastLogits(leftPadded, leftMask).toFloatArray(), 1e-5f);

    NDArray rightPadded = x.concat(zeros, 1); // [1, 7, H]
    NDArray rightMask = manager.create(new long[] {1, 1, 1, 1, 1, 0, 0}, new Shape(1, 7));
    NDArray both = leftPadded.concat(rightPadded, 0); // [2, 7, H]
    NDArray last = lm.lastLogits(both, leftMask.concat(rightMask, 0)); // [2, V]
    assertEquals(new Shape(2, CFG.vocabSize()), last.getShape());
    assertArrayEquals(alone, last.get(0).toFloatArray(), 1e-5f);
    assertArrayEquals(alone, last.get(1).toFloatArray(), 1e-5f);
  }

  @Test
  void laterPositionsDoNotInfluenceEarlierOnes() {
    NDArray x = embeds(1, 6, 3);
    NDArray changed = x.duplicate();
    changed.set(new ai.djl.ndarray.index.NDIndex(":, 5"), 7f);
    NDArray mask = manager.ones(new Shape(1, 6));
    float[] a = lm.forward(x, mask).toFloatArray();
    float[] b = lm.forward(changed, mask).toFloatArray();
    int v = CFG.vocabSize();
    assertArrayEquals(Arrays.copyOf(a, 5 * v), Arrays.copyOf(b, 5 * v), 1e-6f);
    assertTrue(Math.abs(a[5 * v] - b[5 * v]) > 1e-4, "the changed position itself moves");
  }

  @Test
  void embedTokensLooksUpTheTiedTable() {
    NDArray ids = manager.create(new long[] {3, 0}, new Shape(1, 2));
    NDArray table = params.get("opt_model.model.decoder.embed_tokens.weight");
    assertArrayEquals(table.get(3).toFloatArray(), lm.embedTokens(ids).get(0, 0).toFloatArray());
    NDArray h = manager.create(table.get(3).toFloatArray(), new Shape(1, 16));
    float[] logits = lm.logits(h).toFloatArray();
    float dot = 0;
    float[] row = table.get(3).toFloatArray();
    for (float f : row) {
      dot += f * f;
    }
    assertEquals(dot, logits[3], 1e-3f * Math.abs(dot));
  }

  // ---- loss: hand-computed expectations --------------------------------------------------

  private static double logSoftmax(float[] row, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (float f : row) {
      max = Math.max(max, f);
    }
    double sum = 0;
    for (float f : row) {
      sum += Math.exp(f - max);
    }
    return row[k] - max - Math.log(sum);
  }

  @Test
  void tokenMeanAndSequenceMeanFollowTheirDefinitions() {
    // B=3, N=4, V=3. Position t predicts labels[t+1].
    float[][][] l = {
        {{1, 2, 0}, {0, 0, 3}, {2, -1, 0}, {9, 9, 9}},
        {{0.5f, 0, 0}, {1, 1, -1}, {0, 4, 0}, {1, 2, 3}},
        {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}},
    };
    long[][] labels = {
        {-100, 1, 2, 0},       // targets from positions 0, 1, 2: three tokens
        {-100, -100, -100, 2}, // one token, predicted at position 2
        {5, -100, -100, -100}, // a label only at position 0: nothing is predicted
    };
    float[] flat = new float[3 * 4 * 3];
    long[] flatLabels = new long[12];
    for (int b = 0; b < 3; b++) {
      for (int t = 0; t < 4; t++) {
        System.arraycopy(l[b][t], 0, flat, (b * 4 + t) * 3, 3);
        flatLabels[b * 4 + t] = labels[b][t];
      }
    }
    NDArray logits = manager.create(flat, new Shape(3, 4, 3));
    NDArray labelArray = manager.create(flatLabels, new Shape(3, 4));
    double r0a = -logSoftmax(l[0][0], 1);
    double r0b = -logSoftmax(l[0][1], 2);
    double r0c = -logSoftmax(l[0][2], 0);
    double r1 = -logSoftmax(l[1][2], 2);
    double tokenMean = (r0a + r0b + r0c + r1) / 4;
    double sequenceMean = ((r0a + r0b + r0c) / 3 + r1) / 2;
    assertEquals(tokenMean, OptLM.nextTokenLoss(logits, labelArray, Reduction.TOKEN_MEAN)
        .getFloat(), 1e-5);
    assertEquals(sequenceMean, OptLM.nextTokenLoss(logits, labelArray, Reduction.SEQUENCE_MEAN)
        .getFloat(), 1e-5);
  }

  @Test
  void lossWithoutTargetsIsAnError() {
    NDArray logits = manager.zeros(new Shape(1, 3, 4));
    NDArray labels = manager.create(new long[] {2, -100, -100}, new Shape(1, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OptLM.nextTokenLoss(logits, labels, Reduction.SEQUENCE_MEAN));
    assertTrue(e.getMessage().contains("ignored"), e.getMessage());
  }

  @Test
  void shapesAreCheckedWithClearMessages() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> lm.forward(manager.zeros(new Shape(1, 3, 8)), manager.ones(new Shape(1, 3))));
    assertTrue(e.getMessage().contains("inputs_embeds"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> lm.forward(manager.zeros(new Shape(1, 13, 16)), manager.ones(new Shape(1, 13))));
    assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
  }

  @Test
  void configFromMetadataReadsAndValidates() {
    Map<String, String> meta = new HashMap<>(Map.of("hidden_size", "32",
        "num_attention_heads", "4", "num_hidden_layers", "2", "ffn_dim", "64", "vocab_size", "60",
        "max_position_embeddings", "24", "layer_norm_eps", "1e-05", "activation_function", "relu",
        "pad_token_id", "1"));
    assertEquals(new OptConfig(32, 4, 2, 64, 60, 24, 1e-5, 1), OptConfig.fromMetadata(meta, "m"));
    meta.put("activation_function", "gelu");
    assertThrows(IllegalArgumentException.class, () -> OptConfig.fromMetadata(meta, "m"));
    meta.put("activation_function", "relu");
    meta.put("num_attention_heads", "5");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OptConfig.fromMetadata(meta, "m"));
    assertTrue(e.getMessage().contains("divisible"), e.getMessage());
    meta.put("num_attention_heads", "four");
    e = assertThrows(IllegalArgumentException.class, () -> OptConfig.fromMetadata(meta, "src"));
    assertTrue(e.getMessage().contains("src") && e.getMessage().contains("num_attention_heads"),
        e.getMessage());
    meta.remove("num_attention_heads");
    e = assertThrows(IllegalArgumentException.class, () -> OptConfig.fromMetadata(meta, "src"));
    assertTrue(e.getMessage().contains("missing configuration key 'num_attention_heads'"),
        e.getMessage());
  }
}
