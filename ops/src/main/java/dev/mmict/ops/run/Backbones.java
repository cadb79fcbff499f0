package dev.mmict.ops.run;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.lm.OptConfig;
import dev.mmict.hub.mhub.MHubConfig;
import dev.mmict.hub.model.DialogContrast;
import dev.mmict.hub.model.MmictConfig;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.hub.text.WordTokenizer;
import dev.mmict.hub.vision.VitConfig;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.config.BindingStageConfig;
import dev.mmict.ops.config.ModelConfig;
import dev.mmict.ops.config.PretrainConfig;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.worker.train.BindingProbe;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.InductionText;
import dev.mmict.worker.train.StepListener;
import dev.mmict.worker.train.TaskMix;
import dev.mmict.worker.train.TextStage;
import dev.mmict.worker.train.TrainLoop;
import dev.mmict.worker.train.TrainSettings;
import dev.mmict.worker.train.TrainingStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates, pretrains and loads backbones: the frozen vision encoder and LLM MMICT starts from. */
final class Backbones {
  private static final Logger LOG = LoggerFactory.getLogger(Backbones.class);

  private Backbones() { }

  /** Result of a pretraining run. */
  record Pretrained(Path dir, long parameters, double finalLoss, double seconds, int vocabulary) { }

  /** Loads the backbone at {@code config.model().backbone()}; a missing or broken one is a data error. */
  static ModelStore.Loaded load(RunConfig config, NDManager manager) {
    return load(Path.of(config.model().backbone()), config.seed(), manager);
  }

  static ModelStore.Loaded load(Path dir, long seed, NDManager manager) {
    if (!Files.isDirectory(dir)) {
      throw CommandFailure.dataError("no backbone at " + dir.toAbsolutePath()
          + " (create one with ./mmict pretrain, or set model.backbone)", null);
    }
    try {
      return ModelStore.load(dir, manager, seed);
    } catch (IOException | RuntimeException e) {
      throw CommandFailure.dataError("cannot load the backbone at " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Builds the word vocabulary from the pretraining tasks' texts. Every fast-binding name of
   * those tasks is spelled by character pieces, never a word of its own, so that the downstream
   * tasks' unseen names are spelled the same way.
   */
  static WordTokenizer tokenizer(List<TaskHandle> tasks, int samplesPerTask) {
    WordTokenizer.Builder b = WordTokenizer.builder();
    Set<String> names = new TreeSet<>();
    for (TaskHandle t : tasks) {
      names.addAll(t.spec().trainNames());
      names.addAll(t.spec().evalNames());
      Dataset d = t.dataset();
      int n = Math.min(samplesPerTask, d.size(Dataset.TRAIN));
      for (int i = 0; i < n; i++) {
        Sample s = d.get(Dataset.TRAIN, i);
        b.addText(s.text());
        b.addText(s.prompt());
        b.addText(s.target());
      }
    }
    return b.optSpelledWords(names).build();
  }

  /** The model shape of a config for a vocabulary size. */
  static MmictConfig modelConfig(ModelConfig m, int vocab, int padId) {
    return new MmictConfig(
        new VitConfig(m.imageSize(), m.patchSize(), 3, m.visionWidth(), m.visionLayers(), m.visionHeads(), 2.0, 1e-6),
        new MHubConfig(m.mhubWidth(), m.mhubHeads(), m.mhubLayers(), m.mhubIntermediate(), m.crossAttentionFreq(),
            m.visionWidth(), m.queryTokens(), vocab, Math.max(64, m.maxTextTokens()), 1e-12),
        new OptConfig(m.llmWidth(), m.llmHeads(), m.llmLayers(), m.llmFfn(), vocab, 512, 1e-5, padId),
        m.vgtPadded());
  }

  /**
   * Pretrains a backbone from scratch with {@code config.pretrain()} and writes it to {@code dir};
   * {@code session} shows and records its steps and keeps its loss curve.
   */
  static Pretrained pretrain(RunConfig config, Path dir, RunSession session) throws IOException {
    PretrainConfig p = config.pretrain();
    List<TaskHandle> tasks = p.tasks().stream().map(TaskHandle::open).toList();
    List<TaskMix> mix = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      TaskHandle t = tasks.get(i);
      // Every format the frozen LLM will be asked to read later, so no baseline meets a new one.
      // Interleaved VanillaICT batches teach copying (a dialog names each object twice); MMICT
      // batches teach reading the same through VGT rows.
      List<Mode> modes = t.grouped() ? List.of(Mode.MMICT, Mode.VANILLA_ICT)
          : List.of(Mode.MMICT, Mode.VANILLA_ICT, Mode.VANILLA_FT);
      mix.add(new TaskMix(t.dataset(), p.weights().get(i), modes,
          t.grouped() ? DemoSampler.ALL : 2,
          t.grouped() ? DemoSampler.Strategy.SAME_GROUP : DemoSampler.Strategy.RANDOM));
    }
    long start = System.nanoTime();
    try (NDManager manager = NDManager.newBaseManager()) {
      WordTokenizer tokenizer;
      MmictModel model;
      Map<String, String> meta = new LinkedHashMap<>();
      if (p.init().isEmpty()) {
        tokenizer = tokenizer(tasks, p.vocabularySamples());
        MmictConfig shape = modelConfig(config.model(), tokenizer.vocabSize(), tokenizer.padId());
        model = new MmictModel(manager, shape, config.seed(), tokenizer.padId());
      } else {
        ModelStore.Loaded from = load(Path.of(p.init()), config.seed(), manager);
        tokenizer = from.tokenizer();
        model = from.model();
        model.setTrainable(x -> true);
        // What made the starting backbone stays on record; this run's stages are added to it.
        from.metadata().forEach((k, v) -> {
          if (k.startsWith("mmict.")) {
            meta.put(k, v);
          }
        });
        // A chain of continuations keeps every start on record, oldest first.
        String before = meta.get("mmict.pretrain.init");
        meta.put("mmict.pretrain.init", before == null ? p.init() : before + " | " + p.init());
        LOG.info("pretraining continues from the backbone at {}", p.init());
      }
      try (model) {
        long params = model.params().count(x -> true);
        LOG.info("pretraining a backbone of {} parameters (vocabulary {}) on {}: text stage {} steps, multi-modal "
            + "stage {}, binding stages {} + {}, mixed stage {}", params, tokenizer.vocabSize(), p.tasks(), p.textSteps(),
            p.steps(), p.binding().hubSteps(), p.binding().jointSteps(), p.binding().mixSteps());
        meta.put("mmict.pretrain.tasks", String.join(",", p.tasks()));
        meta.put("mmict.seed", Long.toString(config.seed()));
        textStage(p, config.seed(), model, tokenizer, manager, session, meta);
        DialogBuilder builder = new DialogBuilder(tokenizer, config.model().maxTextTokens());
        Optional<BindingProbe> probe = bindingProbe(tasks, model, builder);
        List<TrainingStep.Result> results = new ArrayList<>();
        if (p.steps() > 0) {
          TrainSettings settings = new TrainSettings(p.steps(), p.batchSize(), p.lr(), p.warmupSteps(),
              p.weightDecay(), config.seed(), p.contrastWeight(), p.gradClip(), true);
          results.addAll(stage("pretrain", mix, settings, model, builder, probe, tokenizer, meta, dir, session,
              manager));
          meta.put("mmict.pretrain.steps", Integer.toString(p.steps()));
        }
        // Both binding stages read the dialogs through the M-Hub (MMICT format): a joint stage with
        // one batch in three in the VanillaICT format bound at 0.185 where MMICT-only reached 0.535
        // (docs/decisions/0003).
        List<TaskMix> binding = new ArrayList<>();
        for (TaskHandle t : tasks) {
          if (t.grouped()) {
            binding.add(new TaskMix(t.dataset(), 1, List.of(Mode.MMICT), DemoSampler.ALL,
                DemoSampler.Strategy.SAME_GROUP));
          }
        }
        BindingStageConfig b = p.binding();
        if (binding.isEmpty() && b.hubSteps() + b.jointSteps() > 0) {
          LOG.warn("no grouped (fast-binding) pretraining task: the binding stages are skipped");
        } else {
          if (b.hubSteps() > 0) {
            // Only the parts MMICT fine-tunes: with the LLM and the vision encoder moving too, the
            // contrastive loss sat on its plateau (docs/decisions/0003).
            model.setTrainable(MmictModel.FINETUNED);
            results.addAll(stage("pretrain-binding-hub", binding, closingStage(p, b.hubSteps(), b.hubLr(), config.seed() + 1), model, builder, probe, tokenizer, meta, dir, session, manager));
            model.setTrainable(x -> true);
            meta.put("mmict.pretrain.binding_hub_steps", Integer.toString(b.hubSteps()));
          }
          if (b.jointSteps() > 0) {
            results.addAll(stage("pretrain-binding-joint", binding, closingStage(p, b.jointSteps(),
                b.jointLr(), config.seed() + 2), model, builder, probe, tokenizer, meta, dir, session, manager));
            meta.put("mmict.pretrain.binding_joint_steps", Integer.toString(b.jointSteps()));
          }
        }
        if (b.mixSteps() > 0) {
          // Binding-only training lets captioning drift (CIDEr 0.289 -> 0.07 after 3,000 steps):
          // a last stage on every task, in every format, brings it back (docs/decisions/0003).
          results.addAll(stage("pretrain-mix", mix, closingStage(p, b.mixSteps(), b.jointLr(),
              config.seed() + 3), model, builder, probe, tokenizer, meta, dir, session, manager));
          meta.put("mmict.pretrain.mix_steps", Integer.toString(b.mixSteps()));
        }
        if (b.mixSteps() > 0 || (!binding.isEmpty() && b.hubSteps() + b.jointSteps() > 0)) {
          // The schedule governs all three closing stages, so a mixed-only continuation records it too.
          meta.put("mmict.pretrain.binding_schedule", b.schedule());
        }
        if (probe.isPresent()) {
          DialogContrast.Retrieval r = probe.get().measure(manager);
          meta.put("mmict.pretrain.binding_retrieval", String.format("%.4f", r.accuracy()));
          meta.put("mmict.pretrain.binding_retrieval_chance", String.format("%.4f", r.chanceAccuracy()));
          LOG.info("pretraining done: {}", describe(r));
        }
        session.curve("pretrain", 1, results);
        save(dir, model, tokenizer, meta);
        session.checkpointWritten();
        double secs = (System.nanoTime() - start) / 1e9;
        LOG.info("backbone written to {} after {}", dir, ProgressLog.duration(secs));
        return new Pretrained(dir, params, tailLoss(results), secs, tokenizer.vocabSize());
      }
    }
  }

  /**
   * The settings of a stage that closes pretraining (hub binding, joint binding, mixed): the
   * multi-modal stage's batch, warm-up, decay and clip, the binding contrastive weight, and the
   * binding schedule after the warm-up.
   */
  private static TrainSettings closingStage(PretrainConfig p, int steps, double lr, long seed) {
    BindingStageConfig b = p.binding();
    return new TrainSettings(steps, p.batchSize(), lr, p.warmupSteps(), p.weightDecay(), seed, b.contrastWeight(),
        p.gradClip(), true, b.minLr(lr));
  }

  /**
   * One multi-modal pretraining stage: trains {@code model} on {@code mix}, logs the LM and
   * contrastive losses and the binding probe every tenth of the stage, and saves the backbone
   * six times along the way so that a run stopped late still leaves a usable one.
   */
  private static List<TrainingStep.Result> stage(String name, List<TaskMix> mix, TrainSettings settings,
      MmictModel model, DialogBuilder builder, Optional<BindingProbe> probe, WordTokenizer tokenizer,
      Map<String, String> meta, Path dir, RunSession session, NDManager manager) {
    int every = Math.max(1, settings.steps() / 6);
    int logEvery = Math.max(1, settings.steps() / 10);
    try (RunSession.Training progress = session.training(name)) {
      StageWindow window = new StageWindow();
      StepListener listener = (step, total, lr, r) -> {
        progress.onStep(step, total, lr, r);
        window.add(r);
        if ((step + 1) % logEvery == 0) {
          LOG.info("{} step {}/{}: LM loss {}, contrastive loss {} (MMICT batches){}", name, step + 1, total,
              String.format("%.3f", window.lmLoss()), String.format("%.3f", window.contrastLoss()),
              probe.map(pr -> ", " + describe(pr.measure(manager))).orElse(""));
          window.clear();
        }
        if ((step + 1) % every == 0 && step + 1 < total) {
          Map<String, String> partial = new LinkedHashMap<>(meta);
          partial.put("mmict.pretrain.partial", name + " " + (step + 1) + "/" + total);
          save(dir, model, tokenizer, partial);
          session.checkpointWritten();
        }
      };
      return new TrainLoop(model, builder).run(manager, mix, settings, listener);
    }
  }

  /** Dialogs of the binding probe. */
  private static final int PROBE_DIALOGS = 128;

  /**
   * The held-out binding probe of the first grouped (fast-binding) pretraining task: its
   * validation split, else its test split; empty when no task is grouped.
   */
  private static Optional<BindingProbe> bindingProbe(List<TaskHandle> tasks, MmictModel model,
      DialogBuilder builder) {
    for (TaskHandle t : tasks) {
      if (!t.grouped()) {
        continue;
      }
      for (String split : List.of(Dataset.VAL, Dataset.TEST)) {
        if (t.dataset().splits().contains(split) && t.dataset().size(split) > 0) {
          return Optional.of(new BindingProbe(model, builder, t.dataset(), split, PROBE_DIALOGS, 16));
        }
      }
    }
    return Optional.empty();
  }

  private static String describe(DialogContrast.Retrieval r) {
    return String.format("binding retrieval %.3f (chance %.3f) on %d held-out dialogs", r.accuracy(),
        r.chanceAccuracy(), r.dialogs());
  }

  /** Mean LM and contrastive losses over the steps since the last log line. */
  private static final class StageWindow {
    private double lm;
    private int steps;
    private double contrast;
    private int contrastSteps;

    void add(TrainingStep.Result r) {
      lm += r.lmLoss();
      steps++;
      if (r.contrastLoss() > 0) {
        contrast += r.contrastLoss();
        contrastSteps++;
      }
    }

    double lmLoss() {
      return steps == 0 ? Double.NaN : lm / steps;
    }

    double contrastLoss() {
      return contrastSteps == 0 ? Double.NaN : contrast / contrastSteps;
    }

    void clear() {
      lm = contrast = 0;
      steps = contrastSteps = 0;
    }
  }

  /** Sequences the text stage's copy accuracy is measured on (held out: their own seed). */
  private static final int COPY_PROBE_SEQUENCES = 256;

  /**
   * The text-only first stage: the LLM alone learns to copy by content on {@link InductionText}
   * sequences; its held-out copy accuracy is logged along the way and kept in the backbone's
   * metadata ({@code mmict.pretrain.text_copy_accuracy}).
   */
  private static void textStage(PretrainConfig p, long seed, MmictModel model, WordTokenizer tokenizer,
      NDManager manager, RunSession session, Map<String, String> meta) {
    if (p.textSteps() == 0) {
      LOG.info("no text stage (pretrain.textSteps = 0)");
      return;
    }
    TextStage stage = new TextStage(model, InductionText.defaults(tokenizer));
    long probeSeed = seed ^ 0x5eedc0deL;
    int logEvery = Math.max(1, p.textSteps() / 10);
    LOG.info("text stage: {} steps of {} sequences (copy accuracy before: {})", p.textSteps(), p.textBatchSize(),
        String.format("%.3f", stage.copyAccuracy(manager, COPY_PROBE_SEQUENCES, p.textBatchSize(), probeSeed)));
    try (RunSession.Training progress = session.training("pretrain-text")) {
      stage.run(manager, new TextStage.Settings(p.textSteps(), p.textBatchSize(), p.textLr(), p.warmupSteps(),
          p.weightDecay(), p.gradClip(), seed), (step, total, lr, r) -> {
            progress.onStep(step, total, lr, new TrainingStep.Result(r.loss(), r.loss(), 0, p.textBatchSize(),
                r.targets(), r.gradNorm(), false));
            if ((step + 1) % logEvery == 0) {
              LOG.info("text stage step {}/{}: loss {}, copy accuracy {} (batch) {} (held out)", step + 1, total,
                  String.format("%.3f", r.loss()), String.format("%.3f", r.copyAccuracy()), String.format("%.3f",
                      stage.copyAccuracy(manager, COPY_PROBE_SEQUENCES, p.textBatchSize(), probeSeed)));
            }
          });
    }
    double accuracy = stage.copyAccuracy(manager, COPY_PROBE_SEQUENCES, p.textBatchSize(), probeSeed);
    LOG.info("text stage done: held-out copy accuracy {}", String.format("%.3f", accuracy));
    meta.put("mmict.pretrain.text_steps", Integer.toString(p.textSteps()));
    meta.put("mmict.pretrain.text_copy_accuracy", String.format("%.4f", accuracy));
  }

  private static void save(Path dir, MmictModel model, WordTokenizer tokenizer, Map<String, String> meta) {
    try {
      ModelStore.save(dir, model, tokenizer, meta);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot save the backbone to " + dir, e);
    }
  }

  /** Mean loss over the last tenth of a run. */
  static double tailLoss(List<TrainingStep.Result> results) {
    return tailMean(results.stream().map(TrainingStep.Result::loss).toList());
  }

  /** Mean of the last tenth (at least one) of per-step losses: a run's final loss; NaN for none. */
  static double tailMean(List<Double> losses) {
    int n = Math.max(1, losses.size() / 10);
    return losses.subList(Math.max(0, losses.size() - n), losses.size()).stream()
        .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
