package dev.mmict.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.hub.vision.VitConfig;
import dev.mmict.storage.cache.DiskFeatureCache;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.worker.features.DiskFeatureStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning through the on-disk feature cache trains like fine-tuning without it. */
class DiskFeatureCacheTrainingTest {
  private static final int STEPS = 6;

  @TempDir
  Path root;

  /** Losses, final trainable weights and the cache's counters of one run. */
  private record Run(double[] losses, float[] weights, DiskFeatureCache.Stats stats) { }

  private static Run train(Dataset data, WordTokenizer tok, Path cacheRoot) {
    try (NDManager m = NDManager.newBaseManager(); MmictModel model = TrainLoopTest.tinyModel(m, tok)) {
      model.setTrainable(MmictModel.FINETUNED);
      DiskFeatureStore store = null;
      if (cacheRoot == null) {
        model.setFeatureStore(null);
      } else {
        VitConfig v = model.config().vision();
        store = new DiskFeatureStore(cacheRoot, v.tokensPerImage(), v.width(), DiskFeatureCache.Options.DEFAULTS);
        model.setFeatureStore(store);
      }
      List<TrainingStep.Result> r = new TrainLoop(model, new DialogBuilder(tok, 16)).run(m,
          List.of(new TaskMix(data, 1, List.of(Mode.MMICT), 2, DemoSampler.Strategy.RANDOM)),
          new TrainSettings(STEPS, 4, 3e-3, 1, 0.0, 1, 0, 1.0, false), StepListener.NONE);
      DiskFeatureCache.Stats stats = store == null ? null : store.stats();
      return new Run(r.stream().mapToDouble(TrainingStep.Result::loss).toArray(),
          model.params().get("opt_proj.weight").toFloatArray(), stats);
    }
  }

  @Test
  void coldAndWarmCacheRunsAreIdenticalAndCloseToNoCache() throws IOException {
    Dataset caption = Datasets.open("shapes-caption");
    WordTokenizer tok = TrainLoopTest.tokenizer(caption);
    Run plain = train(caption, tok, null);
    Run cold = train(caption, tok, root);
    Run warm = train(caption, tok, root);

    int visuals = STEPS * 4 * 3; // dialogs of 2 demonstrations and a query
    assertEquals(visuals, cold.stats().hits() + cold.stats().misses());
    assertEquals(cold.stats().misses(), cold.stats().writes());
    assertEquals(0, warm.stats().misses(), "a warm cache serves every visual");
    assertEquals(0, warm.stats().writes());
    assertEquals(visuals, warm.stats().hits());

    // The model uses what the cache will serve (float16) even on a miss: cold and warm agree bit for bit.
    assertArrayEquals(cold.losses(), warm.losses());
    assertArrayEquals(cold.weights(), warm.weights());
    // Against exact float32 features the run moves only by float16 rounding (measured: the losses
    // agree to float32 resolution and opt_proj.weight within ~5e-8 on this model).
    for (int s = 0; s < STEPS; s++) {
      double diff = Math.abs(plain.losses()[s] - cold.losses()[s]);
      assertTrue(diff <= 1e-5 * Math.abs(plain.losses()[s]), "step " + s + ": loss " + plain.losses()[s]
          + " without the cache, " + cold.losses()[s] + " with it");
    }
    double weightDiff = 0;
    for (int i = 0; i < plain.weights().length; i++) {
      weightDiff = Math.max(weightDiff, Math.abs(plain.weights()[i] - cold.weights()[i]));
    }
    assertTrue(weightDiff <= 1e-6, "opt_proj.weight moved by " + weightDiff + " with the cache");

    // A record damaged on disk is reported, encoded again and replaced: the run is unchanged.
    Path shard;
    try (Stream<Path> dirs = Files.list(root)) {
      shard = dirs.findFirst().orElseThrow().resolve("features-00000.shard");
    }
    try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
      long at = f.length() - 10; // inside the last record's float16 values
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x40);
    }
    Run repaired = train(caption, tok, root);
    assertEquals(1, repaired.stats().corrupt());
    assertEquals(1, repaired.stats().writes());
    assertArrayEquals(cold.losses(), repaired.losses());
  }
}
