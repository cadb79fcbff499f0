package dev.mmict.storage.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * The text behind {@code mmict checkpoints list|verify|inspect DIR}: a table of a run's
 * checkpoints, a per-file verification, and a summary of one manifest.
 */
public final class CheckpointInspector {

  private CheckpointInspector() {}

  /** One line per step directory under {@code root}: step, time, size, validity, metrics. */
  public static Inspection list(Path root) throws IOException {
    return list(root, null, null);
  }

  /**
   * As {@link #list(Path)}, and marks the best valid checkpoint by metric {@code bestBy} (lowest
   * for {@link RetentionPolicy.Mode#MIN}, highest for MAX; among equal values the newer, as
   * retention chooses), when any valid checkpoint has a finite value of it.
   *
   * @param bestBy the metric to mark the best by, or null to mark none
   * @param mode whether lower or higher is better; ignored when {@code bestBy} is null
   */
  public static Inspection list(Path root, String bestBy, RetentionPolicy.Mode mode) throws IOException {
    requireDirectory(root);
    List<Path> dirs = CheckpointNames.stepDirs(root);
    List<VerificationReport> reports = new ArrayList<>(dirs.size());
    for (Path dir : dirs) {
      reports.add(CheckpointVerifier.verify(dir, null));
    }
    int best = bestBy == null ? -1 : best(reports, bestBy, mode);
    StringBuilder sb = new StringBuilder();
    sb.append("Checkpoints in ").append(root).append(": ").append(dirs.size()).append('\n');
    boolean ok = true;
    if (!dirs.isEmpty()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-10s  %-24s  %10s  %-7s  %s%n",
              "step",
              "created (UTC)",
              "size",
              "valid",
              "metrics"));
    }
    for (int i = 0; i < dirs.size(); i++) {
      Path dir = dirs.get(i);
      VerificationReport r = reports.get(i);
      ok &= r.valid();
      String created = r.manifest().map(m -> m.createdAt().toString()).orElse("?");
      String metrics = r.manifest().map(m -> metrics(m.metrics())).orElse("");
      if (i == best) {
        metrics += "  <- best " + bestBy;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "%-10d  %-24s  %10s  %-7s  %s%n",
              CheckpointNames.stepOf(dir),
              created,
              bytes(Durable.totalSize(dir)),
              r.valid() ? "yes" : "NO",
              metrics));
      if (!r.valid()) {
        sb.append("            ").append(r.errorSummary()).append('\n');
      }
    }
    List<Path> temps = CheckpointNames.tempDirs(root);
    if (!temps.isEmpty()) {
      sb.append("Left by interrupted writes (removed by the next write): ")
          .append(
              temps.stream().map(p -> p.getFileName().toString()).collect(Collectors.joining(", ")))
          .append('\n');
    }
    return new Inspection(sb.toString(), ok);
  }

  /**
   * Verifies one checkpoint directory (one holding a manifest or named {@code step-N}) file by
   * file, or every checkpoint under a root directory.
   *
   * @param expectedFingerprint the model fingerprint required, or null to accept any
   */
  public static Inspection verify(Path dirOrRoot, String expectedFingerprint) throws IOException {
    if (isCheckpointDir(dirOrRoot)) {
      return verifyOne(dirOrRoot, expectedFingerprint);
    }
    requireDirectory(dirOrRoot);
    List<Path> dirs = CheckpointNames.stepDirs(dirOrRoot);
    StringBuilder sb = new StringBuilder();
    sb.append("Verifying ")
        .append(dirs.size())
        .append(" checkpoints in ")
        .append(dirOrRoot)
        .append('\n');
    boolean ok = true;
    for (Path dir : dirs) {
      Inspection one = verifyOne(dir, expectedFingerprint);
      ok &= one.ok();
      sb.append('\n').append(one.text());
    }
    return new Inspection(sb.toString(), ok);
  }

  private static Inspection verifyOne(Path dir, String expectedFingerprint) {
    VerificationReport r = CheckpointVerifier.verify(dir, expectedFingerprint);
    StringBuilder sb = new StringBuilder("Checkpoint ").append(dir);
    r.manifest().ifPresent(m -> sb.append(" (step ").append(m.step()).append(')'));
    sb.append('\n');
    for (FileCheck c : r.files()) {
      String detail =
          switch (c.status()) {
            case OK -> bytes(c.actualSize()) + "  sha256 " + c.actualSha256();
            case UNEXPECTED -> "warning: not listed in the manifest; ignored";
            default -> CheckpointVerifier.describe(c);
          };
      sb.append(String.format(Locale.ROOT, "  %-15s  %-28s  %s%n", c.status(), c.name(), detail));
    }
    for (Problem p : r.problems()) {
      boolean fromFiles = r.files().stream().anyMatch(c -> c.name().equals(p.file()));
      if (!fromFiles) {
        sb.append("  ").append(p.severity()).append("  ").append(p.describe()).append('\n');
      }
    }
    int errors = r.errors().size();
    sb.append(
        errors == 0 ? "  VALID" : "  INVALID (" + errors + (errors == 1 ? " error)" : " errors)"));
    if (!r.warnings().isEmpty()) {
      sb.append(", ")
          .append(r.warnings().size())
          .append(r.warnings().size() == 1 ? " warning" : " warnings");
    }
    sb.append('\n');
    return new Inspection(sb.toString(), r.valid());
  }

  /**
   * A summary of one checkpoint's manifest: position, fingerprint, metrics, states, config, files.
   */
  public static Inspection inspect(Path dir) throws IOException {
    requireDirectory(dir);
    VerificationReport r = CheckpointVerifier.verify(dir, null);
    StringBuilder sb = new StringBuilder("Checkpoint ").append(dir).append('\n');
    if (r.manifest().isEmpty()) {
      sb.append("  manifest unreadable: ").append(r.errorSummary()).append('\n');
      return new Inspection(sb.toString(), false);
    }
    Manifest m = r.manifest().get();
    line(sb, "valid", r.valid() ? "yes" : "NO: " + r.errorSummary());
    line(sb, "schema version", String.valueOf(m.schemaVersion()));
    line(sb, "step", String.valueOf(m.step()));
    line(sb, "epoch", String.valueOf(m.epoch()));
    line(sb, "created (UTC)", m.createdAt().toString());
    line(sb, "model fingerprint", m.modelFingerprint());
    line(sb, "metrics", m.metrics().isEmpty() ? "(none)" : metrics(m.metrics()));
    line(sb, "data cursor", compact(m.dataCursor()));
    line(sb, "sampler state", compact(m.samplerState()));
    line(sb, "rng states", compact(m.rngStates()));
    line(sb, "files", m.files().size() + ", " + bytes(m.filesSize()));
    for (Map.Entry<String, Manifest.FileEntry> e : m.files().entrySet()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "    %-28s  %10s  sha256 %s%n",
              e.getKey(),
              bytes(e.getValue().size()),
              e.getValue().sha256()));
    }
    sb.append("  resolved config:\n");
    for (String l : m.config().split("\\R", -1)) {
      sb.append("    ").append(l).append('\n');
    }
    return new Inspection(sb.toString(), r.valid());
  }

  /** The index of the best valid report by {@code metric}, the later on ties; -1 when none has it. */
  private static int best(List<VerificationReport> reports, String metric, RetentionPolicy.Mode mode) {
    int best = -1;
    double bestValue = 0;
    for (int i = 0; i < reports.size(); i++) {
      VerificationReport r = reports.get(i);
      if (!r.valid() || r.manifest().isEmpty()) {
        continue;
      }
      OptionalDouble v = r.manifest().get().metric(metric);
      if (v.isEmpty() || !Double.isFinite(v.getAsDouble())) {
        continue;
      }
      double x = v.getAsDouble();
      boolean better = mode == RetentionPolicy.Mode.MAX ? x >= bestValue : x <= bestValue;
      if (best < 0 || better) {
        best = i;
        bestValue = x;
      }
    }
    return best;
  }

  private static boolean isCheckpointDir(Path p) {
    return Files.isRegularFile(p.resolve(CheckpointNames.MANIFEST))
        || (p.getFileName() != null
            && CheckpointNames.parseStep(p.getFileName().toString()).isPresent());
  }

  private static void requireDirectory(Path p) throws CheckpointException {
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new CheckpointException(
          p, null, Files.exists(p) ? "not a directory" : "does not exist");
    }
  }

  private static void line(StringBuilder sb, String key, String value) {
    sb.append(String.format(Locale.ROOT, "  %-18s %s%n", key + ":", value));
  }

  /** One-line JSON, cut at 200 characters (the full state is in manifest.json). */
  private static String compact(JsonNode node) {
    String s = node.toString();
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }

  private static String metrics(Map<String, Double> metrics) {
    return metrics.entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + "="
                    + (e.getValue() == null
                        ? "null"
                        : String.format(Locale.ROOT, "%.6g", e.getValue())))
        .collect(Collectors.joining(" "));
  }

  /** "512 B", "1.5 KiB", "12.3 MiB". */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
