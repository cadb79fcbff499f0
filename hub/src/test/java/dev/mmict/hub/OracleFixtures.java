package dev.mmict.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.hub.io.SafetensorsFile;
import dev.mmict.hub.lm.OptConfig;
import dev.mmict.hub.lm.OptLM;
import dev.mmict.hub.lm.Reduction;
import dev.mmict.hub.mhub.MHub;
import dev.mmict.hub.mhub.MHubConfig;
import dev.mmict.hub.nn.Params;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Runs the PyTorch oracle fixtures ({@code mhub_*.safetensors}, {@code opt_*.safetensors}) of a
 * folder against the Java models: configuration from the file's metadata, weights loaded
 * strictly, output, loss and every {@code io.expected_grad.*} compared with {@link Tolerance}.
 */
final class OracleFixtures {
  static final String IO = "io.";
  static final String GRAD = "io.expected_grad.";

  private OracleFixtures() {
  }

  /** One dynamic test per fixture named {@code kind_*.safetensors}; none found is a failure. */
  static Stream<DynamicTest> tests(Path dir, String kind, FixtureCheck check) throws IOException {
    assertTrue(Files.isDirectory(dir), "oracle folder " + dir + " does not exist");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(kind + "_") && n.endsWith(".safetensors");
      }).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no " + kind + "_*.safetensors fixture in " + dir);
    return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), p.toUri(),
        () -> check.run(p)));
  }

  /** A check of one fixture file. */
  interface FixtureCheck {
    /** Fails with an assertion error when the model disagrees with the fixture. */
    void run(Path fixture) throws Exception;
  }

  /** Copies every non-{@code io.} tensor into {@code params}; both sides must match exactly. */
  static void loadWeights(SafetensorsFile f, Params params, NDManager manager) throws IOException {
    Map<String, NDArray> weights = f.loadAll(manager, n -> !n.startsWith(IO));
    List<String> unused = params.load(weights, true, f.path().toString());
    assertEquals(List.of(), unused, f.path() + ": weights in the file that the model does not use");
  }

  /** Compares {@code actual} with tensor {@code expectedName} of the file (shape and values). */
  static void assertMatches(SafetensorsFile f, String expectedName, NDArray actual)
      throws IOException {
    SafetensorsFile.Entry e = f.entry(expectedName);
    assertEquals(e.shape(), actual.getShape(), f.path().getFileName() + ": shape of "
        + expectedName);
    Tolerance.assertClose(f.path().getFileName() + " " + expectedName,
        actual.toType(DataType.FLOAT32, false).toFloatArray(), f.floats(expectedName), e.shape());
  }

  /**
   * Compares every {@code io.expected_grad.<name>} with the gradient of parameter {@code name}, or
   * of the input {@code inputs.get(name)}.
   */
  static int assertGradients(SafetensorsFile f, Params params, Map<String, NDArray> inputs)
      throws IOException {
    int checked = 0;
    for (String name : f.names()) {
      if (!name.startsWith(GRAD)) {
        continue;
      }
      String target = name.substring(GRAD.length());
      NDArray wrt = inputs.containsKey(target) ? inputs.get(target)
          : params.contains(target) ? params.get(target) : null;
      assertNotNull(wrt, f.path() + ": " + name + " names neither a parameter nor an input");
      assertMatches(f, name, wrt.getGradient());
      checked++;
    }
    assertTrue(checked > 0, f.path() + ": no io.expected_grad.* tensor to check");
    return checked;
  }

  /** The OPT fixture: logits, token-mean next-token loss, and gradients. */
  static void checkOpt(Path path) throws Exception {
    SafetensorsFile f = Safetensors.read(path);
    OptConfig cfg = OptConfig.fromMetadata(f.metadata(), path.toString());
    try (NDManager manager = NDManager.newBaseManager();
        Params params = new Params(manager, 0)) {
      OptLM lm = new OptLM(params, cfg, "");
      loadWeights(f, params, manager);
      params.setTrainable(n -> true);

      NDArray prefix = f.load(manager, "io.prefix_embeds"); // [B, S, H]
      prefix.setRequiresGradient(true);
      long b = prefix.getShape().get(0);
      long s = prefix.getShape().get(1);
      NDArray ids = f.load(manager, "io.input_ids"); // [B, T]
      long t = ids.getShape().get(1);
      long[] idValues = f.longs("io.input_ids");
      long[] textMask = f.longs("io.text_mask");
      long[] mask = new long[(int) (b * (s + t))];
      long[] labels = new long[mask.length];
      for (int row = 0; row < b; row++) {
        for (int j = 0; j < s + t; j++) {
          int at = (int) (row * (s + t) + j);
          boolean text = j >= s;
          int ti = (int) (row * t + j - s);
          mask[at] = text ? textMask[ti] : 1;
          labels[at] = text && textMask[ti] == 1 ? idValues[ti] : OptLM.IGNORE_INDEX;
        }
      }
      NDArray attention = manager.create(mask, new Shape(b, s + t)); // [B, N]
      NDArray labelArray = manager.create(labels, new Shape(b, s + t)); // [B, N]

      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray embeds = NDArrays.concat(new NDList(prefix, lm.embedTokens(ids)), 1); // [B, N, H]
        NDArray logits = lm.forward(embeds, attention); // [B, N, V]
        NDArray loss = OptLM.nextTokenLoss(logits, labelArray, Reduction.TOKEN_MEAN); // []
        assertMatches(f, "io.expected_logits", logits);
        assertMatches(f, "io.expected_loss", loss.reshape(1));
        gc.backward(loss);
      }
      assertGradients(f, params, Map.of("prefix_embeds", prefix));
    }
  }

  /** The M-Hub fixture: last hidden state, probe loss, and gradients. */
  static void checkMhub(Path path) throws Exception {
    SafetensorsFile f = Safetensors.read(path);
    MHubConfig cfg = MHubConfig.fromMetadata(f.metadata(), path.toString());
    try (NDManager manager = NDManager.newBaseManager();
        Params params = new Params(manager, 0)) {
      MHub mhub = new MHub(params, cfg, "bert.", "query_tokens");
      loadWeights(f, params, manager);
      params.setTrainable(n -> true);

      NDArray image = f.load(manager, "io.image_embeds"); // [B, V, E]
      image.setRequiresGradient(true);
      NDArray ids = f.load(manager, "io.text_ids"); // [B, T]
      NDArray textMask = f.load(manager, "io.text_mask"); // [B, T]
      NDArray probe = f.load(manager, "io.loss_probe"); // [B, Q+T, H]
      long b = ids.getShape().get(0);
      NDArray rowMask = NDArrays.concat(new NDList(
          manager.ones(new Shape(b, cfg.numQueryTokens())),
          textMask.toType(DataType.FLOAT32, false)), 1).expandDims(2); // [B, Q+T, 1]

      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray out = mhub.forward(image, ids, textMask); // [B, Q+T, H]
        NDArray loss = out.mul(probe).mul(rowMask).sum(); // []
        assertMatches(f, "io.expected_last_hidden_state", out);
        assertMatches(f, "io.expected_loss", loss.reshape(1));
        gc.backward(loss);
      }
      assertGradients(f, params, Map.of("image_embeds", image));
    }
  }

  /** The folder named by system property {@code mmict.oracle.dir}; fails when unset. */
  static Path oracleDirFromProperty() {
    String dir = System.getProperty("mmict.oracle.dir");
    if (dir == null || dir.isBlank()) {
      fail("system property mmict.oracle.dir is not set (the root pom sets it)");
    }
    return Path.of(dir);
  }
}
