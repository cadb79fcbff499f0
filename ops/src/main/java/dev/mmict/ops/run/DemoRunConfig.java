package dev.mmict.ops.run;

import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration of one fine-tuning of the demo on a local cluster: the demo's resolved
 * configuration with the task, mode and backbone of that run, and its metrics on a free port (the
 * demo's own endpoint keeps the configured one). The cluster's workers read it from the run's
 * directory, so it goes through the same YAML and validation as any configuration file.
 */
final class DemoRunConfig {

  private static final ConfigLoader LOADER = new ConfigLoader();

  private DemoRunConfig() { }

  /** {@code demo} with {@code data.task}, {@code trainer.mode} and {@code model.backbone} set. */
  static RunConfig of(RunConfig demo, String task, String mode, Path backbone) {
    return LOADER.parse(RunConfig.class, LOADER.toYaml(demo), "the demo's resolved configuration", List.of(
        "data.task=" + task, "trainer.mode=" + mode, "model.backbone=" + backbone.toAbsolutePath(),
        "metrics.port=0"));
  }

  /**
   * Empties {@code dir} (a directory the demo owns, left by an earlier demo) and writes
   * {@code config} to {@code dir/config.yaml}.
   */
  static void prepare(Path dir, RunConfig config) throws IOException {
    Directories.deleteTree(dir);
    Files.createDirectories(dir);
    LOADER.write(config, dir.resolve("config.yaml"));
  }
}
