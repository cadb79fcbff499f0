package dev.mmict.hub.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.hub.io.SafetensorsFile;
import dev.mmict.hub.text.WordTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads a whole model as a directory: {@code config.json} (the {@link MmictConfig}),
 * {@code model.safetensors} (every parameter under its LAVIS name, readable by PyTorch) and
 * {@code tokenizer.json}. This is how the pretrained backbone ships and how fine-tuned models
 * are handed to evaluation.
 */
public final class ModelStore {
  /** The file names inside a model directory. */
  public static final String CONFIG = "config.json";
  /** Weights file. */
  public static final String WEIGHTS = "model.safetensors";
  /** Tokenizer file. */
  public static final String TOKENIZER = "tokenizer.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A loaded model with its tokenizer and the metadata saved beside the weights. */
  public record Loaded(MmictModel model, WordTokenizer tokenizer, Map<String, String> metadata) { }

  private ModelStore() { }

  /** Writes {@code model} and {@code tokenizer} into {@code dir} (created if needed). */
  public static void save(Path dir, MmictModel model, WordTokenizer tokenizer, Map<String, String> metadata)
      throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve(CONFIG + ".tmp");
    JSON.writeValue(tmp.toFile(), model.config());
    Files.move(tmp, dir.resolve(CONFIG), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    tokenizer.save(dir.resolve(TOKENIZER));
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> weights = model.params().snapshot(m, p -> true);
      Safetensors.write(dir.resolve(WEIGHTS), weights, metadata);
    }
  }

  /** Reads a model directory written by {@link #save}; every parameter must be present. */
  public static Loaded load(Path dir, NDManager manager, long seed) throws IOException {
    Path configFile = dir.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new NoSuchFileException(configFile.toString(), null, "not a model directory: no " + CONFIG);
    }
    MmictConfig config;
    try {
      config = JSON.readValue(configFile.toFile(), MmictConfig.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(configFile + ": " + e.getOriginalMessage(), e);
    }
    WordTokenizer tokenizer = WordTokenizer.load(dir.resolve(TOKENIZER));
    MmictModel model = new MmictModel(manager, config, seed, tokenizer.padId());
    SafetensorsFile file;
    try {
      file = loadInto(model, dir.resolve(WEIGHTS), true, manager);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
    return new Loaded(model, tokenizer, file.metadata());
  }

  /**
   * Copies the tensors of the safetensors {@code weights} file into {@code model}'s parameters of
   * the same names, checking shapes.
   *
   * @param strict every parameter of the model must be in the file (else: only those it holds)
   * @return the file read (for its metadata)
   * @throws IOException when the file cannot be read or holds a tensor that matches no parameter
   */
  public static SafetensorsFile loadInto(MmictModel model, Path weights, boolean strict, NDManager manager)
      throws IOException {
    SafetensorsFile file = Safetensors.read(weights);
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> values = file.loadAll(tmp, n -> true);
      List<String> unused = model.params().load(values, strict, weights.toString());
      if (!unused.isEmpty()) {
        throw new IOException(weights + ": tensors that match no parameter: " + unused);
      }
    }
    return file;
  }
}
