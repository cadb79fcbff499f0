package dev.mmict.hub.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Visual;
import dev.mmict.hub.io.HalfPrecision;
import dev.mmict.hub.lm.OptConfig;
import dev.mmict.hub.mhub.MHubConfig;
import dev.mmict.hub.vision.VitConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How {@link MmictModel#encodeVisuals} uses a {@link VisualFeatureStore}. */
class VisualFeatureStoreTest {

  /** Keeps values rounded to float16, as the disk cache does, and counts calls. */
  private static final class HalfStore implements VisualFeatureStore {
    final Map<String, float[]> values = new HashMap<>();
    final List<String> fingerprints = new ArrayList<>();
    int gets;
    int puts;

    @Override
    public float[] get(String fingerprint, String key) {
      gets++;
      fingerprints.add(fingerprint);
      return values.get(fingerprint + "/" + key);
    }

    @Override
    public float[] put(String fingerprint, String key, float[] features) {
      puts++;
      float[] r = new float[features.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(features[i]));
      }
      values.put(fingerprint + "/" + key, r);
      return r;
    }

    @Override
    public int size() {
      return values.size();
    }
  }

  private static MmictModel tiny(NDManager m) {
    MmictConfig cfg = new MmictConfig(new VitConfig(16, 8, 3, 16, 1, 2, 2.0, 1e-6),
        new MHubConfig(16, 2, 1, 32, 1, 16, 2, 12, 16, 1e-12),
        new OptConfig(16, 2, 1, 32, 12, 64, 1e-5, 0), false);
    return new MmictModel(m, cfg, 5, 0);
  }

  private static Visual picture(String key, int seed) {
    Random r = new Random(seed);
    float[] px = new float[3 * 16 * 16];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextGaussian();
    }
    return new Visual(key, px, 1);
  }

  @Test
  void theInMemoryCacheKeepsFiniteFeaturesAndNeverNonFiniteOnes() {
    FeatureCache cache = new FeatureCache();
    float[] good = {0.5f, -2f};
    float[] nan = {1f, Float.NaN};
    float[] inf = {Float.NEGATIVE_INFINITY, 0f};
    assertArrayEquals(good, cache.put("fp", "a", good));
    assertArrayEquals(nan, cache.put("fp", "b", nan), "the caller still gets what was computed");
    assertArrayEquals(inf, cache.put("fp", "c", inf));
    assertArrayEquals(good, cache.get("fp", "a"));
    assertEquals(null, cache.get("fp", "b"), "a NaN is recomputed next time, not served");
    assertEquals(null, cache.get("fp", "c"));
    assertEquals(1, cache.size());
  }

  @Test
  void encoderTimeGrowsOnlyWhenTheEncoderRuns() {
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = tiny(m)) {
      model.setTrainable(MmictModel.FINETUNED);
      List<Visual> keyed = List.of(picture("a", 1), picture("b", 2));
      assertEquals(0, model.encoderNanos());
      model.setFeatureStore(new HalfStore());
      model.encodeVisuals(m, keyed);
      long cold = model.encoderNanos();
      assertTrue(cold > 0, "a cold call runs the encoder");
      model.encodeVisuals(m, keyed);
      assertEquals(cold, model.encoderNanos(), "a call served entirely by the store spends no encoder time");
      model.setFeatureStore(null);
      model.encodeVisuals(m, keyed);
      assertTrue(model.encoderNanos() > cold, "without a store the encoder runs again");
    }
  }

  @Test
  void coldAndWarmCallsServeWhatTheStoreKeeps() {
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = tiny(m)) {
      model.setTrainable(MmictModel.FINETUNED);
      List<Visual> batch = List.of(picture("a", 1), picture(null, 2), picture("b", 3));
      model.setFeatureStore(null);
      float[] raw = model.encodeVisuals(m, batch).toFloatArray();
      assertEquals(0, model.cachedVisuals());
      assertEquals(new MmictModel.VisualCounts(3, 0), model.visualCounts(), "no store: the encoder runs on all three");

      HalfStore store = new HalfStore();
      model.setFeatureStore(store);
      float[] cold = model.encodeVisuals(m, batch).toFloatArray();
      assertEquals(2, store.puts, "the keyless visual is not stored");
      float[] warm = model.encodeVisuals(m, batch).toFloatArray();
      assertEquals(2, store.puts, "a warm call stores nothing");
      assertEquals(new MmictModel.VisualCounts(7, 2), model.visualCounts(),
          "cold: three encoded; warm: the two keyed ones served, the keyless one encoded again");
      assertArrayEquals(cold, warm, "cold and warm calls give the same features");
      assertFalse(java.util.Arrays.equals(raw, cold), "features are the store's float16 values");
      int per = raw.length / 3;
      for (int i = 0; i < raw.length; i++) {
        boolean keyless = i >= per && i < 2 * per;
        float expected = keyless ? raw[i] : HalfPrecision.halfToFloat(HalfPrecision.floatToHalf(raw[i]));
        assertEquals(expected, cold[i], 0f, "value " + i);
      }
      assertTrue(store.fingerprints.stream().allMatch(model.visionFingerprint()::equals));
      assertEquals(2, model.cachedVisuals());
    }
  }

  @Test
  void aTrainableEncoderBypassesTheStoreAndAChangedOneHasAnotherFingerprint() {
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = tiny(m)) {
      HalfStore store = new HalfStore();
      model.setFeatureStore(store);
      model.setTrainable(n -> true);
      model.encodeVisuals(m, List.of(picture("a", 1)));
      assertEquals(0, store.gets + store.puts);
      assertEquals(null, model.visionFingerprint());

      model.setTrainable(MmictModel.FINETUNED);
      String before = model.visionFingerprint();
      model.params().get("visual_encoder.cls_token").addi(0.5f);
      model.setTrainable(MmictModel.FINETUNED);
      assertNotEquals(before, model.visionFingerprint());
    }
  }
  /**
   * The shipped backbone's vision shapes (32 px, patch 8, width 64, 3 layers), randomly
   * initialised: with {@code MKL_CBWR=AVX2} on an AVX-512 machine its matrix products round a
   * picture's rows differently in a batch of five than in a batch of six.
   */
  private static MmictModel backboneShaped(NDManager m) {
    MmictConfig cfg = new MmictConfig(new VitConfig(32, 8, 3, 64, 3, 4, 2.0, 1e-6),
        new MHubConfig(64, 4, 1, 128, 1, 64, 8, 12, 64, 1e-12),
        new OptConfig(64, 2, 1, 128, 12, 64, 1e-5, 0), false);
    MmictModel model = new MmictModel(m, cfg, 11, 0);
    model.setTrainable(MmictModel.FINETUNED);
    return model;
  }

  private static List<Visual> pictures(int n, int size) {
    List<Visual> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Random r = new Random(100 + i);
      float[] px = new float[3 * size * size];
      for (int j = 0; j < px.length; j++) {
        px[j] = (float) r.nextGaussian();
      }
      out.add(new Visual("p" + i, px, 1));
    }
    return out;
  }

  @Test
  void featuresDoNotDependOnWhatTheStoreAlreadyHeld() {
    List<Visual> batch = pictures(6, 32);
    try (NDManager m = NDManager.newBaseManager()) {
      MmictModel cold = backboneShaped(m);
      MmictModel warmedByOne = backboneShaped(m);
      MmictModel alone = backboneShaped(m);
      // One store met picture 0 before the batch: it encodes the other five; the cold one all six.
      warmedByOne.encodeVisuals(m, batch.subList(0, 1));
      float[] fromCold = cold.encodeVisuals(m, batch).toFloatArray(); // [6, V, E]
      float[] fromWarm = warmedByOne.encodeVisuals(m, batch).toFloatArray(); // [6, V, E]
      assertEquals(new MmictModel.VisualCounts(6, 0), cold.visualCounts());
      assertEquals(new MmictModel.VisualCounts(1 + 5, 1), warmedByOne.visualCounts());
      assertArrayEquals(fromCold, fromWarm, "the same bits whichever visuals the store held");
      int per = fromCold.length / batch.size();
      for (int i = 0; i < batch.size(); i++) {
        float[] own = alone.encodeVisuals(m, batch.subList(i, i + 1)).toFloatArray(); // [1, V, E]
        assertArrayEquals(own, java.util.Arrays.copyOfRange(fromCold, i * per, (i + 1) * per),
            "picture " + i + " as if encoded alone");
      }
    }
  }
}
