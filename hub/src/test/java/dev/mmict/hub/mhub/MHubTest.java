package dev.mmict.hub.mhub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.nn.Params;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MHubTest {
  // 3 layers, cross-attention on 0 and 2
  private static final MHubConfig CFG = new MHubConfig(16, 2, 3, 24, 2, 10, 3, 40, 8, 1e-12);
  private NDManager manager;
  private Params params;
  private MHub mhub;

  @BeforeEach
  void build() {
    manager = NDManager.newBaseManager();
    params = new Params(manager, 7);
    mhub = new MHub(params, CFG, "Qformer.bert.", "query_tokens");
    params.all().values().forEach(p -> {
      if (p.decays()) {
        p.value().muli(10); // std 0.2, like the oracle: every path visibly matters
      }
    });
    manager.getEngine().setRandomSeed(3);
  }

  @AfterEach
  void close() {
    params.close();
    manager.close();
  }

  @Test
  void declaresLavisNamesAndCrossAttentionOnlyEveryFreqLayers() {
    assertEquals(new Shape(1, 3, 16), params.get("query_tokens").getShape());
    assertTrue(params.contains("Qformer.bert.embeddings.word_embeddings.weight"));
    assertTrue(params.contains("Qformer.bert.encoder.layer.0.crossattention.self.key.weight"));
    assertEquals(new Shape(16, 10),
        params.get("Qformer.bert.encoder.layer.2.crossattention.self.value.weight").getShape());
    assertFalse(params.contains("Qformer.bert.encoder.layer.1.crossattention.self.key.weight"));
    assertTrue(params.contains("Qformer.bert.encoder.layer.1.output_query.LayerNorm.bias"));
    assertTrue(params.contains("Qformer.bert.encoder.layer.1.intermediate.dense.weight"));
  }

  @Test
  void paddedTextGivesTheSameRowsAsTheUnpaddedText() {
    NDArray image = manager.randomNormal(new Shape(1, 4, 10)); // [1, V, E]
    NDArray ids = manager.create(new long[] {5, 9, 2, 0, 0}, new Shape(1, 5));
    NDArray mask = manager.create(new long[] {1, 1, 1, 0, 0}, new Shape(1, 5));
    NDArray padded = mhub.forward(image, ids, mask); // [1, Q+5, H]
    assertEquals(new Shape(1, 8, 16), padded.getShape());
    NDArray alone = mhub.forward(image, ids.get(":, 0:3"), mask.get(":, 0:3")); // [1, Q+3, H]
    assertArrayEquals(alone.toFloatArray(), padded.get(":, 0:6").toFloatArray(), 1e-5f);
  }

  @Test
  void textInfluencesTheQueriesAndTheImageInfluencesTheText() {
    NDArray image = manager.randomNormal(new Shape(1, 4, 10));
    NDArray ids = manager.create(new long[] {5, 9}, new Shape(1, 2));
    NDArray mask = manager.ones(new Shape(1, 2));
    NDArray base = mhub.forward(image, ids, mask);
    NDArray otherText = mhub.forward(image, manager.create(new long[] {5, 10}, new Shape(1, 2)), mask);
    NDArray otherImage = mhub.forward(image.add(1f), ids, mask);
    assertTrue(maxDiff(base.get(":, 0:3"), otherText.get(":, 0:3")) > 1e-3,
        "queries are instruction-aware");
    assertTrue(maxDiff(base.get(":, 3:"), otherImage.get(":, 3:")) > 1e-3,
        "text rows see the image through the queries (from layer 1 on)");
  }

  @Test
  void queriesOnlyEqualsEmptyTextAndFullyMaskedText() {
    NDArray image = manager.randomNormal(new Shape(2, 4, 10)); // [B, V, E]
    NDArray queriesOnly = mhub.forwardQueriesOnly(image); // [B, Q, H]
    assertEquals(new Shape(2, 3, 16), queriesOnly.getShape());
    NDArray empty = mhub.forward(image, manager.create(new long[0], new Shape(2, 0)),
        manager.create(new long[0], new Shape(2, 0)));
    assertArrayEquals(queriesOnly.toFloatArray(), empty.toFloatArray(), 0f);
    // Text whose every token is padding is invisible to the queries (-10000 bias).
    NDArray ids = manager.create(new long[] {4, 4, 7, 7}, new Shape(2, 2));
    NDArray masked = mhub.forward(image, ids, manager.zeros(new Shape(2, 2)));
    assertArrayEquals(queriesOnly.toFloatArray(), masked.get(":, 0:3").toFloatArray(), 1e-5f);
  }

  @Test
  void inputsAreCheckedWithClearMessages() {
    NDArray image = manager.zeros(new Shape(1, 4, 9));
    NDArray ids = manager.create(new long[] {1}, new Shape(1, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> mhub.forward(image, ids, ids));
    assertTrue(e.getMessage().contains("image embeds"), e.getMessage());
    NDArray longIds = manager.zeros(new Shape(1, 9)).toType(ai.djl.ndarray.types.DataType.INT64, false);
    e = assertThrows(IllegalArgumentException.class,
        () -> mhub.forward(manager.zeros(new Shape(1, 4, 10)), longIds, longIds));
    assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
  }

  @Test
  void configFromMetadataReadsAndValidates() {
    Map<String, String> meta = new HashMap<>(Map.ofEntries(Map.entry("hidden_size", "32"),
        Map.entry("num_attention_heads", "4"), Map.entry("num_hidden_layers", "2"),
        Map.entry("intermediate_size", "64"), Map.entry("cross_attention_freq", "2"),
        Map.entry("encoder_width", "24"), Map.entry("num_query_tokens", "4"),
        Map.entry("vocab_size", "50"), Map.entry("max_position_embeddings", "16"),
        Map.entry("layer_norm_eps", "1e-12"), Map.entry("hidden_act", "gelu"),
        Map.entry("torch", "1.13.0")));
    MHubConfig cfg = MHubConfig.fromMetadata(meta, "m");
    assertEquals(new MHubConfig(32, 4, 2, 64, 2, 24, 4, 50, 16, 1e-12), cfg);
    assertTrue(cfg.hasCrossAttention(0));
    assertFalse(cfg.hasCrossAttention(1));
    meta.put("hidden_act", "gelu_new");
    assertThrows(IllegalArgumentException.class, () -> MHubConfig.fromMetadata(meta, "m"));
    meta.put("hidden_act", "gelu");
    meta.put("cross_attention_freq", "0");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MHubConfig.fromMetadata(meta, "m"));
    assertTrue(e.getMessage().contains("cross_attention_freq"), e.getMessage());
    meta.remove("encoder_width");
    e = assertThrows(IllegalArgumentException.class, () -> MHubConfig.fromMetadata(meta, "f.st"));
    assertTrue(e.getMessage().contains("f.st") && e.getMessage().contains("'encoder_width'"),
        e.getMessage());
  }

  private static float maxDiff(NDArray a, NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }
}
