package dev.mmict.ops.run;

import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.ops.cluster.ClusterTraining;
import dev.mmict.ops.cluster.EmbeddedCluster;
import dev.mmict.worker.cluster.ParameterVector;
import java.util.HexFormat;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.generation.GenerationConfig;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.cli.Operations;
import dev.mmict.ops.cli.ClusterRequest;
import dev.mmict.ops.cli.RunRequest;
import dev.mmict.ops.config.EvalConfig;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.ops.progress.Progress;
import dev.mmict.worker.train.DialogBuilder;
import dev.mmict.worker.train.EvalSettings;
import dev.mmict.worker.train.Evaluator;
import dev.mmict.worker.train.TaskMix;
import dev.mmict.worker.train.TrainLoop;
import dev.mmict.worker.train.TrainSettings;
import dev.mmict.worker.train.TrainingStep;
import dev.mmict.worker.train.ValidationLoss;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run commands in one process: pretraining, MMICT fine-tuning, evaluation and the demo that
 * compares the three modes. (The cluster runs the same training step across workers.)
 */
public final class LocalOperations implements Operations {
  private static final Logger LOG = LoggerFactory.getLogger(LocalOperations.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintWriter out;
  private final Progress progress;
  private final RunObserver observer;

  /**
   * Results (tables, paths) go to {@code out}; progress goes to stderr, as a bar on a terminal
   * and as log lines otherwise.
   */
  public LocalOperations(PrintWriter out) {
    this(out, Progress.forConsole(), RunObserver.NONE);
  }

  /**
   * @param progress how loops show their progress
   * @param observer told where metrics are served and of every training step
   */
  public LocalOperations(PrintWriter out, Progress progress, RunObserver observer) {
    this.out = out;
    this.progress = progress;
    this.observer = observer;
  }

  /** The metrics, progress and plots of one command; {@code evaluations} it will run. */
  private RunSession session(RunRequest request, int evaluations) {
    return new RunSession(runId(request), "local", request.config().metrics(), progress, observer, evaluations);
  }

  /** A run is named by its output directory. */
  static String runId(RunRequest request) {
    Path name = request.outDir().toAbsolutePath().normalize().getFileName();
    return name == null ? request.command() : name.toString();
  }

  @Override
  public void pretrain(RunRequest request) throws IOException {
    Map<String, Object> report = new LinkedHashMap<>();
    Backbones.Pretrained p;
    try (RunSession session = session(request, 0)) {
      p = Backbones.pretrain(request.config(), request.outDir().resolve("backbone"), session);
      report.putAll(session.report());
      report.put("plots", paths(RunPlots.run(request.outDir(), session.curves(), List.of())));
    }
    report.put("backbone", p.dir().toString());
    report.put("parameters", p.parameters());
    report.put("vocabulary", p.vocabulary());
    report.put("final_loss", p.finalLoss());
    report.put("wall_seconds", p.seconds());
    writeReport(request.report(), report);
    out.printf("backbone: %s (%d parameters, final loss %.4f, %s)%n", p.dir(), p.parameters(), p.finalLoss(),
        ProgressLog.duration(p.seconds()));
    out.flush();
  }

  @Override
  public void train(RunRequest request) throws IOException {
    trainUntil(request, request.config().trainer().steps());
  }

  @Override
  public void trainUntil(RunRequest request, int stopAt) throws IOException {
    RunConfig config = request.config();
    if (stopAt < 1 || stopAt > config.trainer().steps()) {
      throw new CommandFailure(ExitCodes.USAGE_ERROR, "--stop-at " + stopAt + " is outside 1.."
          + config.trainer().steps() + " (trainer.steps)", null);
    }
    Mode mode = Mode.parse(config.trainer().mode());
    List<ResultRow> rows = new ArrayList<>();
    Map<String, Object> report = new LinkedHashMap<>();
    try (TaskHandle task = TaskHandle.open(config.data()); RunSession session = session(request, 1);
        NDManager manager = NDManager.newBaseManager()) {
      ModelStore.Loaded bb = Backbones.load(config, manager);
      try (MmictModel model = bb.model()) {
        TrainCheckpointing checkpoints = new TrainCheckpointing(config, request.outDir());
        rows.addAll(finetuneAndEvaluate(config, task, mode, bb, manager, false, checkpoints, stopAt, session));
        report.putAll(checkpoints.report());
        report.put("steps_done", stopAt);
        Path saved = request.outDir().resolve("model");
        ModelStore.save(saved, model, bb.tokenizer(), Map.of("mmict.finetuned.task", task.name(),
            "mmict.finetuned.mode", mode.label()));
        report.put("model", saved.toString());
        report.put("parameters", parameterCounts(model));
      }
      report.putAll(session.report());
      report.put("predictions", predictionFiles(request, session));
      report.put("plots", paths(RunPlots.run(request.outDir(), session.curves(), rows)));
    }
    finish(request, rows, report);
  }

  @Override
  public void trainOnCluster(RunRequest request, ClusterRequest cluster) throws IOException, InterruptedException {
    RunConfig config = request.config();
    Mode mode = Mode.parse(config.trainer().mode());
    List<ResultRow> rows = new ArrayList<>();
    Map<String, Object> report = new LinkedHashMap<>();
    try (TaskHandle task = TaskHandle.open(config.data()); RunSession session = session(request, 1);
        NDManager manager = NDManager.newBaseManager()) {
      String label = task.name() + " " + mode.label();
      ClusterFinetune.Outcome run = ClusterFinetune.run(request, cluster, out, session, label);
      RunSummary summary = run.summary();
      report.putAll(ClusterTraining.report(run.result(), cluster.workers(), cluster.deterministic()));
      session.curve(label, Math.toIntExact(summary.stepsCommitted() - run.steps().size() + 1), run.steps());
      ModelStore.Loaded bb = Backbones.load(config, manager);
      try (MmictModel model = bb.model()) {
        model.setTrainable(MmictModel.FINETUNED);
        loadFinalState(model, run.finalState(), summary.parameterSha256(), manager);
        FeatureStores.attach(config.cache(), model);
        rows.add(evaluate(config, task, mode, model, bb, manager, config.eval().withDemos(), run.seconds(),
            Backbones.tailMean(summary.losses()), session));
        Path saved = request.outDir().resolve("model");
        ModelStore.save(saved, model, bb.tokenizer(), Map.of("mmict.finetuned.task", task.name(),
            "mmict.finetuned.mode", mode.label(), "mmict.params_sha256", summary.parameterSha256()));
        report.put("model", saved.toString());
        report.put("parameters", parameterCounts(model));
      }
      report.putAll(session.report());
      report.put("predictions", predictionFiles(request, session));
      report.put("plots", paths(RunPlots.run(request.outDir(), session.curves(), rows)));
    }
    finish(request, rows, report);
  }

  /**
   * Puts the cluster run's final trainable parameters into {@code model} and checks that they are
   * the ones every replica agreed on.
   */
  private static void loadFinalState(MmictModel model, Path state, String expectedSha, NDManager manager)
      throws IOException {
    try {
      ModelStore.loadInto(model, state, false, manager);
    } catch (IOException e) {
      throw CommandFailure.clusterError("the run's final parameters: " + e.getMessage(), e);
    }
    String sha = HexFormat.of().formatHex(new ParameterVector(model.params()).sha256());
    if (!sha.equals(expectedSha)) {
      throw CommandFailure.clusterError(state + " loads to parameters with sha256 " + sha
          + ", not the run's " + expectedSha, null);
    }
  }

  @Override
  public void eval(RunRequest request) throws IOException {
    RunConfig config = request.config();
    Mode mode = Mode.parse(config.trainer().mode());
    List<ResultRow> rows = new ArrayList<>();
    Map<String, Object> report = new LinkedHashMap<>();
    try (TaskHandle task = TaskHandle.open(config.data()); RunSession session = session(request, 1);
        NDManager manager = NDManager.newBaseManager()) {
      ModelStore.Loaded bb = Backbones.load(config, manager);
      try (MmictModel model = bb.model()) {
        model.setTrainable(n -> false); // evaluation only: frozen, so vision features are cached
        FeatureStores.attach(config.cache(), model);
        rows.add(evaluate(config, task, mode, model, bb, manager, config.eval().withDemos(), 0, Double.NaN, session));
      }
      report.putAll(session.report());
      report.put("predictions", predictionFiles(request, session));
      report.put("plots", paths(RunPlots.run(request.outDir(), List.of(), rows)));
    }
    finish(request, rows, report);
  }

  @Override
  public void demo(RunRequest request, ClusterRequest cluster) throws IOException, InterruptedException {
    long start = System.nanoTime();
    RunConfig config = request.config();
    Map<String, Object> report = new LinkedHashMap<>();
    List<TaskHandle> tasks = config.demo().tasks().stream().map(TaskHandle::open).toList();
    boolean noDemosToo = config.demo().alsoWithoutDemos()
        && config.demo().modes().stream().anyMatch(m -> Mode.parse(m) == Mode.MMICT);
    int evaluations = tasks.size() * (config.demo().modes().size() + (noDemosToo ? 1 : 0));
    List<ResultRow> rows = new ArrayList<>();
    try (RunSession session = session(request, evaluations)) {
      rows.addAll(demoRuns(request, cluster, tasks, noDemosToo, session, report));
      report.putAll(session.report());
      report.put("predictions", predictionFiles(request, session));
      report.put("plots", paths(RunPlots.demo(request.outDir(), session.curves(), rows)));
    }
    report.put("wall_seconds", (System.nanoTime() - start) / 1e9);
    finish(request, rows, report);
  }

  /**
   * The demo's work: a backbone (pretrained first if missing), then each task × mode fine-tuned
   * (on a local cluster unless {@code cluster} is null) and evaluated.
   */
  private List<ResultRow> demoRuns(RunRequest request, ClusterRequest cluster, List<TaskHandle> tasks,
      boolean noDemosToo, RunSession session, Map<String, Object> report) throws IOException, InterruptedException {
    RunConfig config = request.config();
    Path backbone = Path.of(config.model().backbone());
    if (!Files.isDirectory(backbone)) {
      LOG.warn("no backbone at {}: pretraining one first ({} steps; this takes a while)", backbone,
          config.pretrain().steps());
      backbone = Backbones.pretrain(config, request.outDir().resolve("backbone"), session).dir();
    }
    report.put("backbone", backbone.toString());
    report.put("workers", cluster == null ? 0 : cluster.workers());
    List<ResultRow> rows = new ArrayList<>();
    for (TaskHandle task : tasks) {
      for (String m : config.demo().modes()) {
        Mode mode = Mode.parse(m);
        boolean withoutDemos = noDemosToo && mode == Mode.MMICT;
        try (NDManager manager = NDManager.newBaseManager()) {
          ModelStore.Loaded bb = Backbones.load(backbone, config.seed(), manager);
          try (MmictModel model = bb.model()) {
            if (cluster == null) {
              rows.addAll(finetuneAndEvaluate(config, task, mode, bb, manager, withoutDemos, null,
                  config.trainer().steps(), session));
            } else {
              rows.addAll(finetuneOnClusterAndEvaluate(request, cluster, backbone, task, mode, bb, manager,
                  withoutDemos, session));
            }
            report.putIfAbsent("parameters", parameterCounts(model));
          }
        }
      }
    }
    return rows;
  }

  /**
   * One demo fine-tuning on a local cluster: its own directory {@code <out>/runs/<task>-<mode>}
   * (emptied first: the demo owns it) with the run's configuration, audit, checkpoints and worker
   * logs; then the agreed final parameters are loaded into {@code bb}'s model and evaluated here.
   */
  private List<ResultRow> finetuneOnClusterAndEvaluate(RunRequest request, ClusterRequest cluster, Path backbone,
      TaskHandle task, Mode mode, ModelStore.Loaded bb, NDManager manager, boolean alsoWithoutDemos,
      RunSession session) throws IOException, InterruptedException {
    RunConfig config = DemoRunConfig.of(request.config(), task.name(), mode.label(), backbone);
    Path dir = request.outDir().resolve("runs").resolve(task.name() + "-" + mode.label().toLowerCase(Locale.ROOT));
    DemoRunConfig.prepare(dir, config);
    String label = task.name() + " " + mode.label();
    ClusterFinetune.Outcome run = ClusterFinetune.run(new RunRequest(request.command(), config, dir,
        dir.resolve("report.json")), cluster, out, session, label);
    session.curve(label, 1, run.steps());
    MmictModel model = bb.model();
    model.setTrainable(MmictModel.FINETUNED);
    loadFinalState(model, run.finalState(), run.summary().parameterSha256(), manager);
    FeatureStores.attach(config.cache(), model);
    double loss = Backbones.tailMean(run.summary().losses());
    List<ResultRow> rows = new ArrayList<>();
    rows.add(evaluate(config, task, mode, model, bb, manager, config.eval().withDemos(), run.seconds(), loss, session));
    if (alsoWithoutDemos) {
      rows.add(evaluate(config, task, mode, model, bb, manager, false, run.seconds(), loss, session));
    }
    return rows;
  }

  /**
   * Fine-tunes the loaded backbone in {@code mode} on {@code task}, then evaluates it; with
   * {@code checkpoints} (null: none) it writes checkpoints and may resume from one. Training stops
   * once {@code stopAt} of {@code trainer.steps} steps are done.
   */
  private List<ResultRow> finetuneAndEvaluate(RunConfig config, TaskHandle task, Mode mode, ModelStore.Loaded bb,
      NDManager manager, boolean alsoWithoutDemos, TrainCheckpointing checkpoints, int stopAt, RunSession session)
      throws IOException {
    MmictModel model = bb.model();
    model.setTrainable(MmictModel.FINETUNED);
    FeatureStores.attach(config.cache(), model);
    DialogBuilder builder = new DialogBuilder(bb.tokenizer(), config.model().maxTextTokens());
    var t = config.trainer();
    TrainSettings settings = new TrainSettings(t.steps(), t.batchSize(), t.lr(), t.warmupSteps(), t.weightDecay(),
        config.seed(), 0, t.gradClip(), false);
    TaskMix mix = new TaskMix(task.dataset(), 1, List.of(mode), task.shots(config.data()), task.strategy(config.data()));
    TrainCheckpointing.Start from = checkpoints == null ? new TrainCheckpointing.Start(null, TrainLoop.StateHook.NONE)
        : checkpoints.start(model, List.of(mix), builder, manager, stopAt);
    String label = task.name() + " " + mode.label();
    TrainLoop.StateHook hook = from.hook();
    if (checkpoints != null) {
      hook = (state, total, optimizer) -> {
        Object before = checkpoints.report().get("last_checkpoint");
        from.hook().afterStep(state, total, optimizer);
        if (!java.util.Objects.equals(before, checkpoints.report().get("last_checkpoint"))) {
          session.checkpointWritten();
        }
      };
    }
    long start = System.nanoTime();
    List<TrainingStep.Result> results;
    try (RunSession.Training listener = session.training(label)) {
      if (from.resume() != null && from.resume().loop().nextStep() > stopAt) {
        throw new CommandFailure(ExitCodes.USAGE_ERROR, "cannot stop at step " + stopAt + ": the checkpoint"
            + " resumed from is at step " + from.resume().loop().nextStep(), null);
      }
      results = new TrainLoop(model, builder).run(manager, List.of(mix), settings, listener, from.resume(), hook,
          stopAt);
    }
    session.curve(label, from.resume() == null ? 1 : from.resume().loop().nextStep() + 1, results);
    double secs = (System.nanoTime() - start) / 1e9;
    double loss = results.isEmpty() ? Double.NaN : Backbones.tailLoss(results);
    if (checkpoints != null) {
      checkpoints.ran(results.size());
    }
    List<ResultRow> rows = new ArrayList<>();
    rows.add(evaluate(config, task, mode, model, bb, manager, config.eval().withDemos(), secs, loss, session));
    if (alsoWithoutDemos) {
      rows.add(evaluate(config, task, mode, model, bb, manager, false, secs, loss, session));
    }
    return rows;
  }

  private ResultRow evaluate(RunConfig config, TaskHandle task, Mode mode, MmictModel model, ModelStore.Loaded bb,
      NDManager manager, boolean withDemos, double trainSeconds, double loss, RunSession session) {
    session.evaluating();
    EvalConfig e = config.eval();
    var tok = bb.tokenizer();
    // One beam is greedy decoding (the generator's tests hold it to that), min/max honoured alike.
    GenerationConfig gen = GenerationConfig.beamSearch(e.beams(), e.maxNewTokens(), e.minNewTokens(),
        tok.eosId(), tok.padId());
    EvalSettings s = new EvalSettings(mode, withDemos, task.shots(config.data()), task.strategy(config.data()),
        e.samples(), e.batchSize(), gen, config.seed());
    DialogBuilder builder = new DialogBuilder(tok, config.model().maxTextTokens());
    Evaluator.Report r = new Evaluator(model, builder).evaluate(manager, task.dataset(), e.split(), task.evalKind(), s);
    LOG.info("{} {} (demos {}): {} on {} samples; e.g. '{}' for {}", task.name(), mode.label(),
        withDemos ? "on" : "off", r.metrics(), r.samples(),
        r.predictions().isEmpty() ? "" : r.predictions().get(0).prediction(),
        r.predictions().isEmpty() ? "" : r.predictions().get(0).references());
    boolean demos = withDemos && mode != Mode.VANILLA_FT;
    Map<String, Double> metrics = new LinkedHashMap<>(r.metrics());
    validationLoss(config, task, mode, model, builder, manager, withDemos)
        .ifPresent(v -> metrics.put(ValidationLoss.METRIC, v));
    ResultRow row = new ResultRow(task.name(), mode.label(), demos, metrics, r.samples(), trainSeconds, loss);
    session.evaluated(row, r.predictions());
    return row;
  }

  /**
   * The evaluated parameters' {@value ValidationLoss#METRIC} beside the generation metrics: the
   * teacher-forced loss on the first {@code eval.samples} queries of the task's validation split (in
   * batches of {@code eval.batchSize}), in {@code mode} with the run's shots and strategy, or with no
   * demonstrations when the row is evaluated without them ({@code withDemos} false); empty when the
   * task has no validation split. No generation, one forward pass per batch, no gradient.
   */
  private static Optional<Double> validationLoss(RunConfig config, TaskHandle task, Mode mode, MmictModel model,
      DialogBuilder builder, NDManager manager, boolean withDemos) {
    EvalConfig e = config.eval();
    TaskMix source = new TaskMix(task.dataset(), 1, List.of(mode), withDemos ? task.shots(config.data()) : 0,
        task.strategy(config.data()));
    Optional<ValidationLoss> validation = ValidationLoss.of(model, builder, source, e.samples(), e.batchSize(),
        config.seed(), "for this evaluation's row, so a sweep whose objective is " + ValidationLoss.METRIC
            + " cannot judge it");
    return validation.map(v -> {
      long start = System.nanoTime();
      double value = v.compute(manager);
      LOG.info("{} {} (demos {}): {} {} ({} ms)", task.name(), mode.label(), withDemos ? "on" : "off", v,
          String.format(Locale.ROOT, "%.6f", value), (System.nanoTime() - start) / 1_000_000);
      return value;
    });
  }

  /** Writes the run's evaluated answers under {@code <out>/predictions/}; the files' paths. */
  private static List<String> predictionFiles(RunRequest request, RunSession session) throws IOException {
    return paths(PredictionFiles.write(request.outDir().resolve("predictions"), session.predictions()));
  }

  private static List<String> paths(List<Path> files) {
    return files.stream().map(Path::toString).toList();
  }

  private static Map<String, Long> parameterCounts(MmictModel model) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("trainable", model.params().count(p -> MmictModel.FINETUNED.test(p.name())));
    counts.put("frozen", model.params().count(p -> !MmictModel.FINETUNED.test(p.name())));
    return counts;
  }

  private void finish(RunRequest request, List<ResultRow> rows, Map<String, Object> extra) throws IOException {
    String table = ResultTable.markdown(rows);
    Files.writeString(request.outDir().resolve("results.md"), table);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("results", rows);
    report.putAll(extra);
    report.put("report_dir", request.outDir().toString());
    writeReport(request.report(), report);
    out.print(table);
    out.printf("report: %s (directory %s)%n", request.report(), request.outDir());
    out.flush();
  }

  private static void writeReport(Path file, Map<String, Object> report) throws IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    JSON.writeValue(file.toFile(), report);
  }
}
