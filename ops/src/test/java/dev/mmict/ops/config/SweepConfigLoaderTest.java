package dev.mmict.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.coordinator.sweep.AshaSettings;
import dev.mmict.coordinator.sweep.Objective;
import dev.mmict.coordinator.sweep.TrialSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweep files: layering of the base config, the typed space, and every kind of error before anything runs. */
class SweepConfigLoaderTest {

  @TempDir
  Path dir;

  private static final String BUDGET = "budget: {numTrials: 2, parallel: 1, workersPerTrial: 1}\n";

  private Path write(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  private SweepDefinition load(String yaml) throws IOException {
    return new SweepConfigLoader().load(write("sweep.yaml", yaml));
  }

  /** Loads {@code yaml}, expects a ConfigException at {@code keyPath}, line {@code line} of sweep.yaml. */
  private ConfigException rejects(String yaml, String keyPath, int line, String fragment) throws IOException {
    Path file = write("sweep.yaml", yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> new SweepConfigLoader().load(file));
    assertEquals(keyPath, e.keyPath(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    if (line > 0) {
      assertEquals(file.toString(), e.origin().source(), e.getMessage());
      assertEquals(line, e.origin().line(), e.getMessage());
    }
    return e;
  }

  @Test
  void theExampleSweepResolvesEveryTrial() {
    Path example = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "examples",
        "sweep-shapes-caption.yaml");
    if (!Files.exists(example)) {
      example = Path.of("..", "examples", "sweep-shapes-caption.yaml");
    }
    SweepDefinition sweep = new SweepConfigLoader().load(example);
    assertEquals(8, sweep.trials().size());
    assertEquals(List.of("data.shots", "trainer.lr", "trainer.warmupSteps"), sweep.space().keys());
    assertEquals(new Objective("CIDEr", Objective.Mode.MAX), sweep.objective());
    assertEquals(Optional.of(new AshaSettings(16, 4, 2)), sweep.asha());
    assertEquals(List.of(4L, 8L, 16L), sweep.asha().get().rungs());
    for (int i = 0; i < 8; i++) {
      TrialSpec trial = sweep.trials().get(i);
      RunConfig run = sweep.trialConfigs().get(i);
      assertEquals(i % 2 == 0 ? 0 : 2, run.data().shots(), "shots is the grid: 0, 2, 0, 2, ...");
      assertEquals((Double) trial.params().get("trainer.lr"), run.trainer().lr(), 0.0);
      assertTrue(run.trainer().lr() >= 1e-4 && run.trainer().lr() < 3e-3);
      assertEquals(((Long) trial.params().get("trainer.warmupSteps")).intValue(), run.trainer().warmupSteps());
      assertEquals("shapes-caption", run.data().task());
      assertEquals(16, run.trainer().steps());
      assertEquals(8, run.trainer().batchSize());
      assertEquals(32, run.eval().samples());
      assertEquals(RunConfig.defaults().model(), run.model(), "keys the sweep leaves out keep their defaults");
    }
  }

  @Test
  void baseConfigFileThenInlineBaseThenSpace() throws IOException {
    write("run.yaml", "trainer:\n  steps: 30\n  lr: 0.001\ndata:\n  task: shapes-vqa\n");
    SweepDefinition sweep = load("baseConfig: run.yaml\nbase:\n  trainer:\n    lr: 0.002\n"
        + "space:\n  data.strategy: {choice: [random, same-group]}\n" + BUDGET);
    assertEquals(2, sweep.trials().size());
    for (RunConfig run : sweep.trialConfigs()) {
      assertEquals(30, run.trainer().steps(), "from the base file");
      assertEquals(0.002, run.trainer().lr(), "the inline base wins over the file");
      assertEquals("shapes-vqa", run.data().task());
    }
    assertEquals(sweep.trials().get(0).params().get("data.strategy"), sweep.trialConfigs().get(0).data().strategy());
  }

  @Test
  void anErrorInTheBaseFileNamesThatFile() throws IOException {
    Path run = write("run.yaml", "trainer:\n  steps: 30\n  lrr: 0.001\n");
    Path file = write("sweep.yaml", "baseConfig: run.yaml\n" + BUDGET);
    ConfigException e = assertThrows(ConfigException.class, () -> new SweepConfigLoader().load(file));
    assertEquals("base.trainer.lrr", e.keyPath());
    assertEquals(run.toString(), e.origin().source());
    assertEquals(3, e.origin().line());
    rejects("baseConfig: missing.yaml\n", "baseConfig", 1, "base config file not found");
  }

  @Test
  void unknownKeys() throws IOException {
    rejects("budgets: {numTrials: 2}\n", "budgets", 1, "did you mean 'budget'?");
    rejects("space:\n  trainer.lrr: {grid: [0.1]}\n", "space.trainer.lrr", 2,
        "unknown run config key 'trainer.lrr': under 'trainer', unknown key (did you mean 'lr'?");
    rejects("space:\n  trainr.lr: {grid: [0.1]}\n", "space.trainr.lr", 2, "did you mean 'trainer'?");
    rejects("space:\n  trainer: {grid: [0.1]}\n", "space.trainer", 2, "is a section, not a value");
    rejects("space:\n  seed.x: {grid: [1]}\n", "space.seed.x", 2, "'seed' is a single value and has no key 'x'");
    rejects("space:\n  model.backbone: {grid: [a]}\n  data.shots: {log_uniform: [1, 2]}\n",
        "space.data.shots.log_uniform", 3, "unknown kind (did you mean 'logUniform'?)");
    rejects("space:\n  data.shots: {grid: [0], choice: [1]}\n", "space.data.shots", 2, "expected exactly one kind");
    rejects("space:\n  data.shots: {}\n", "space.data.shots", 2, "got none");
  }

  @Test
  void emptyListsAndRanges() throws IOException {
    rejects("space:\n  data.shots: {grid: []}\n", "space.data.shots.grid", 2, "grid needs at least one value");
    rejects("space:\n  data.strategy: {choice: []}\n", "space.data.strategy.choice", 2,
        "choice needs at least one value");
    rejects("space:\n  trainer.lr: {uniform: [0.1, 0.1]}\n", "space.trainer.lr.uniform", 2,
        "uniform range [0.1, 0.1) is empty");
    rejects("space:\n  trainer.lr: {logUniform: [0.01, 0.001]}\n", "space.trainer.lr.logUniform", 2,
        "low must be below high");
    rejects("space:\n  trainer.lr: {logUniform: [0, 0.001]}\n", "space.trainer.lr.logUniform", 2,
        "logUniform needs positive bounds");
    rejects("space:\n  data.shots: {intUniform: [3, 3]}\n", "space.data.shots.intUniform", 2,
        "intUniform range [3, 3) is empty");
    rejects("space:\n  data.shots: {intUniform: [3]}\n", "space.data.shots.intUniform", 2,
        "expects [low, high], got 1 value");
  }

  @Test
  void wrongTypes() throws IOException {
    rejects("space:\n  data.shots:\n    grid: [1, two]\n", "space.data.shots.grid[1]", 3,
        "expected an integer, got 'two'");
    rejects("space:\n  trainer.lr: {uniform: [0.1, lots]}\n", "space.trainer.lr.uniform[1]", 2,
        "expected a number, got 'lots'");
    rejects("space:\n  eval.withDemos: {grid: [true, maybe]}\n", "space.eval.withDemos.grid[1]", 2,
        "expected true or false, got 'maybe'");
    rejects("space:\n  trainer.steps: {uniform: [1, 10]}\n", "space.trainer.steps.uniform", 2,
        "'trainer.steps' is an integer key; use intUniform, grid or choice");
    rejects("space:\n  trainer.lr: {intUniform: [1, 10]}\n", "space.trainer.lr.intUniform", 2,
        "is a real-number key; use uniform, logUniform, grid or choice");
    rejects("space:\n  data.task: {logUniform: [1, 10]}\n", "space.data.task.logUniform", 2,
        "is a text key; use grid or choice");
    rejects("space:\n  data.shots: {grid: 3}\n", "space.data.shots.grid", 2, "expected a list");
    rejects("space:\n  data.shots: [0, 2]\n", "space.data.shots", 2, "expected a mapping");
    rejects("budget: {numTrials: many}\n", "budget.numTrials", 1, "expected an integer, got 'many'");
  }

  @Test
  void valuesOutsideWhatTheKeyAllows() throws IOException {
    rejects("space:\n  data.shots: {grid: [0, 100]}\n", "space.data.shots.grid", 2,
        "value 100 is not a valid data.shots: value 100 is out of range: must be >= -1 and <= 64");
    rejects("space:\n  trainer.mode: {choice: [MMICT, Fancy]}\n", "space.trainer.mode.choice", 2,
        "value Fancy is not a valid trainer.mode: expected one of MMICT, VanillaICT, VanillaFT");
    rejects("space:\n  trainer.lr: {uniform: [0.0, 0.01]}\n", "space.trainer.lr.uniform", 2,
        "range bound 0.0 is not a valid trainer.lr");
    rejects("space:\n  trainer.weightDecay: {uniform: [0.5, 2.0]}\n", "space.trainer.weightDecay.uniform", 2,
        "range bound 1.9999999999999998 is not a valid trainer.weightDecay");
    rejects("space:\n  data.shots: {intUniform: [0, 66]}\n", "space.data.shots.intUniform", 2,
        "range bound 65 is not a valid data.shots");
  }

  @Test
  void aTrialWhoseKeysClashIsRefused() throws IOException {
    String yaml = "base:\n  trainer: {steps: 10, warmupSteps: 2}\n"
        + "space:\n  trainer.steps: {grid: [5, 20]}\n  trainer.warmupSteps: {grid: [8]}\n" + BUDGET;
    rejects(yaml, "space", 3, "trial-000 {trainer.steps=5, trainer.warmupSteps=8} does not resolve: trainer:"
        + " warmupSteps (8) must not exceed steps (5)");
  }

  @Test
  void budgetObjectiveAndSchedulerAreChecked() throws IOException {
    rejects("budget: {parallel: 0}\n", "budget.parallel", 1, "out of range");
    rejects("objective: {metric: CIDEr, mode: maximise}\n", "objective.mode", 1, "expected one of min, max");
    rejects("objective: {metric: ' '}\n", "objective", 1, "objective.metric must name a metric");
    rejects("scheduler: {maxT: 4, gracePeriod: 8}\n", "scheduler", 1, "gracePeriod (8) must not exceed maxT (4)");
    rejects("scheduler: {type: hyperband}\n", "scheduler.type", 1, "expected one of asha, none");
    rejects("scheduler: {reductionFactor: 1}\n", "scheduler.reductionFactor", 1, "out of range");
    SweepDefinition none = load("scheduler: {type: none}\n");
    assertEquals(Optional.empty(), none.asha());
    assertEquals(1, none.trials().size(), "no space, numTrials 1: one trial of the base config");
    assertEquals(new Objective("val_loss", Objective.Mode.MIN), none.objective(),
        "the default objective: the held-out validation loss each rung's evaluation reports");
    assertEquals(new Objective("loss", Objective.Mode.MIN), load("objective: {metric: loss}\n").objective(),
        "the training loss is still accepted");
  }

  @Test
  void fingerprintFollowsWhatDefinesTheTrials() throws IOException {
    String space = "space:\n  trainer.lr: {logUniform: [1e-4, 1e-2]}\n";
    String a = load(space + "seed: 1\n" + BUDGET).fingerprint();
    assertEquals(a, load(space + "seed: 1\n" + BUDGET).fingerprint());
    assertEquals(a, load(space + "seed: 1\nbudget: {numTrials: 2, parallel: 3, workersPerTrial: 2}\n").fingerprint(),
        "parallelism and workers are resources, not part of the sweep's identity");
    assertNotEquals(a, load(space + "seed: 2\n" + BUDGET).fingerprint());
    assertNotEquals(a, load(space + "seed: 1\n" + BUDGET + "base: {trainer: {steps: 90}}\n").fingerprint());
    assertNotEquals(a, load(space + "seed: 1\n" + BUDGET + "objective: {metric: CIDEr, mode: max}\n").fingerprint());
  }

  @Test
  void aFileWithoutAMetricKnowsItsFingerprintUnderTheFormerDefaultLoss() throws IOException {
    String space = "space:\n  trainer.lr: {logUniform: [1e-4, 1e-2]}\nseed: 1\n" + BUDGET;
    SweepDefinition defaulted = load(space);
    SweepDefinition explicitLoss = load(space + "objective: {metric: loss, mode: min}\n");
    SweepDefinition explicitValLoss = load(space + "objective: {metric: val_loss, mode: min}\n");
    assertEquals(explicitValLoss.fingerprint(), defaulted.fingerprint(), "the default is val_loss (min)");
    assertNotEquals(explicitLoss.fingerprint(), defaulted.fingerprint());
    // What a state written before the default changed holds, so a restart can say why it is refused.
    assertEquals(explicitLoss.fingerprint(), defaulted.formerDefaultFingerprint());
    assertEquals(load(space + "objective: {mode: max}\n").formerDefaultFingerprint(),
        load(space + "objective: {metric: loss, mode: max}\n").fingerprint(), "a mode of its own is kept");
    assertEquals(null, explicitLoss.formerDefaultFingerprint(), "a file that names its metric meant it");
    assertEquals(null, explicitValLoss.formerDefaultFingerprint());
  }
}
