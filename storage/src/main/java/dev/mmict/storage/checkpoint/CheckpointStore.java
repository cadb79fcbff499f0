package dev.mmict.storage.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of one run under a root directory: writes each step atomically, verifies, finds
 * the newest valid one, prunes by a {@link RetentionPolicy} and removes what crashed writes left
 * behind.
 *
 * <p>Write protocol: the files go into a fresh {@code .tmp-step-NNNNNNNN-xxxxxxxx/}, each is
 * fsynced and hashed, then {@code manifest.json} and {@code manifest.json.sha256} are written and
 * fsynced, the directory is fsynced, renamed to {@code step-NNNNNNNN/} in one atomic move, and the
 * root is fsynced. A crash at any point leaves either no new step directory or a complete one;
 * older checkpoints are touched only by retention, after the rename.
 *
 * <p>One writer per root: two processes writing into the same root could prune each other's
 * checkpoints or clean each other's temporary directories. Readers are safe (they only ever see
 * complete step directories) except that retention may delete a checkpoint a reader is verifying,
 * which then fails with a missing-file error.
 */
public final class CheckpointStore {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

  private final Path root;
  private final RetentionPolicy retention;
  private final Clock clock;

  /** A store under {@code root} (created on the first write) pruned by {@code retention}. */
  public CheckpointStore(Path root, RetentionPolicy retention) {
    this(root, retention, Clock.systemUTC());
  }

  /** As above, with the clock that stamps {@code created_at}. */
  public CheckpointStore(Path root, RetentionPolicy retention, Clock clock) {
    this.root = root;
    this.retention = retention;
    this.clock = clock;
  }

  /** The directory holding the step directories. */
  public Path root() {
    return root;
  }

  /** The directory checkpoint {@code step} has (or would have). */
  public Path dirOf(long step) {
    return root.resolve(CheckpointNames.stepDir(step));
  }

  /** The step directories present, ascending by step, valid or not. */
  public List<Path> checkpointDirs() throws IOException {
    return CheckpointNames.stepDirs(root);
  }

  /**
   * Writes checkpoint {@code state.step()} atomically, then applies retention.
   *
   * <p>An existing directory for the same step (typically a corrupt one that resume skipped) is
   * replaced; between its removal and the new rename a crash leaves no directory for that step,
   * never a mixed one.
   *
   * @param files file name to the writer of its content, e.g. {@code "model.safetensors"}
   * @return the new checkpoint
   * @throws CheckpointException naming the file when a writer fails; nothing new is visible then
   */
  public Checkpoint write(CheckpointState state, Map<String, CheckpointFileWriter> files)
      throws IOException {
    Map<String, CheckpointFileWriter> sorted = new TreeMap<>(files);
    sorted.keySet().forEach(CheckpointNames::requireValidFileName);
    Files.createDirectories(root);
    cleanStaleTemps();

    long step = state.step();
    Path target = dirOf(step);
    Path tmp = root.resolve(CheckpointNames.tempDir("tmp", step));
    Files.createDirectory(tmp);
    Manifest manifest;
    Path replaced;
    try {
      manifest = fill(tmp, target, state, sorted);
      replaced = publish(tmp, target);
    } catch (Throwable failure) {
      // An in-process failure cleans up now; a killed process leaves tmp for cleanStaleTemps.
      try {
        Durable.deleteRecursively(tmp);
      } catch (IOException cleanup) {
        failure.addSuppressed(cleanup);
      }
      throw failure;
    }
    // From here the new checkpoint is in place; what follows only makes it durable and tidy.
    Durable.syncDirectory(root);
    if (replaced != null) {
      Durable.deleteRecursively(replaced);
    }
    LOG.info(
        "Wrote checkpoint {} ({} files, {} bytes)", target, files.size(), manifest.filesSize());
    try {
      prune(OptionalLong.of(step));
    } catch (IOException e) {
      throw new CheckpointException(
          root,
          null,
          "checkpoint " + target.getFileName() + " was written, but retention failed: " + e,
          e);
    }
    return new Checkpoint(target, manifest);
  }

  /** Runs the writers in {@code tmp}, fsyncs and hashes their files, writes the manifest. */
  private Manifest fill(
      Path tmp, Path target, CheckpointState state, Map<String, CheckpointFileWriter> files)
      throws IOException {
    Map<String, Manifest.FileEntry> entries = new TreeMap<>();
    for (Map.Entry<String, CheckpointFileWriter> e : files.entrySet()) {
      String name = e.getKey();
      Path file = tmp.resolve(name);
      try {
        e.getValue().write(file);
      } catch (IOException | RuntimeException writerFailure) {
        throw new CheckpointException(
            target,
            name,
            "writing failed, checkpoint not created: " + writerFailure,
            writerFailure);
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new CheckpointException(
            target, name, "the writer returned without creating a regular file");
      }
      Durable.Digest d = Durable.syncAndHash(file);
      entries.put(name, new Manifest.FileEntry(d.sha256(), d.size()));
    }
    requireOnly(tmp, target, entries.keySet());
    Manifest manifest = Manifest.of(state, clock.instant(), entries);
    byte[] json = ManifestJson.write(manifest);
    Durable.writeSynced(tmp.resolve(CheckpointNames.MANIFEST), json);
    Durable.writeSynced(
        tmp.resolve(CheckpointNames.MANIFEST_SHA256),
        (Durable.sha256Hex(json) + "  " + CheckpointNames.MANIFEST + "\n")
            .getBytes(StandardCharsets.US_ASCII));
    Durable.syncDirectory(tmp);
    return manifest;
  }

  /** Fails when a writer left anything besides its own file. */
  private static void requireOnly(Path tmp, Path target, Set<String> names) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!names.contains(name)) {
          throw new CheckpointException(
              target, name, "created by a writer but not declared as a checkpoint file");
        }
      }
    }
  }

  /**
   * Moves the complete {@code tmp} to {@code target} atomically. An existing {@code target} is
   * first renamed to a {@code .trash-} name, which is returned for deletion (else null).
   */
  private Path publish(Path tmp, Path target) throws IOException {
    Path replaced = null;
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      long step = CheckpointNames.stepOf(target);
      replaced = root.resolve(CheckpointNames.tempDir("trash", step));
      LOG.warn(
          "Replacing the existing checkpoint directory {} with a new write of step {}",
          target,
          step);
      Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    return replaced;
  }

  /** Verifies checkpoint {@code step}; see {@link CheckpointVerifier#verify}. */
  public VerificationReport verify(long step, String expectedFingerprint) {
    return CheckpointVerifier.verify(dirOf(step), expectedFingerprint);
  }

  /**
   * Checkpoint {@code step}, verified.
   *
   * @param expectedFingerprint the model fingerprint required, or null to accept any
   * @throws CheckpointException naming the checkpoint and file when it is invalid
   */
  public Checkpoint open(long step, String expectedFingerprint) throws CheckpointException {
    return verify(step, expectedFingerprint).requireValid();
  }

  /**
   * The newest checkpoint that verifies, walking back from the newest step directory. Each one
   * refused on the way is logged as a warning and listed in the answer with its reason.
   *
   * @param expectedFingerprint the model fingerprint required, or null to accept any
   */
  public LatestValid latestValid(String expectedFingerprint) throws IOException {
    List<Path> dirs = checkpointDirs();
    List<LatestValid.Skipped> skipped = new ArrayList<>();
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Path dir = dirs.get(i);
      VerificationReport report = CheckpointVerifier.verify(dir, expectedFingerprint);
      if (report.valid()) {
        LatestValid answer = new LatestValid(Optional.of(report.requireValid()), skipped);
        if (answer.fellBack()) {
          LOG.warn("{}", answer.describe());
        }
        return answer;
      }
      LOG.warn("Skipping invalid checkpoint {}: {}", dir, report.errorSummary());
      skipped.add(new LatestValid.Skipped(CheckpointNames.stepOf(dir), dir, report.errorSummary()));
    }
    if (!skipped.isEmpty()) {
      LOG.warn("No valid checkpoint in {}: all {} were refused", root, skipped.size());
    }
    return new LatestValid(Optional.empty(), skipped);
  }

  /**
   * Applies the retention policy now, protecting the newest valid checkpoint (write() does this
   * itself after each new checkpoint).
   *
   * @return the steps deleted, ascending
   */
  public List<Long> applyRetention() throws IOException {
    OptionalLong newest =
        latestValid(null)
            .checkpoint()
            .map(c -> OptionalLong.of(c.step()))
            .orElse(OptionalLong.empty());
    return prune(newest);
  }

  private List<Long> prune(OptionalLong protectedStep) throws IOException {
    List<RetentionPolicy.Candidate> candidates = new ArrayList<>();
    for (Path dir : checkpointDirs()) {
      candidates.add(new RetentionPolicy.Candidate(CheckpointNames.stepOf(dir), metricOf(dir)));
    }
    List<Long> doomed = retention.stepsToDelete(candidates, protectedStep);
    for (long step : doomed) {
      // Rename first, so a crash mid-delete leaves a temporary name, not a half checkpoint.
      Path trash = root.resolve(CheckpointNames.tempDir("trash", step));
      Files.move(dirOf(step), trash, StandardCopyOption.ATOMIC_MOVE);
      Durable.syncDirectory(root);
      Durable.deleteRecursively(trash);
      LOG.info(
          "Deleted checkpoint {} (retention: {})", dirOf(step).getFileName(), retention.describe());
    }
    return doomed;
  }

  /**
   * The retention metric of a checkpoint from its manifest alone (no file hashing: pruning must
   * stay cheap), or null when it has none or the manifest is unreadable.
   */
  private Double metricOf(Path dir) {
    if (retention.keepBest() == 0) {
      return null;
    }
    try {
      Manifest m =
          ManifestJson.parse(Files.readAllBytes(dir.resolve(CheckpointNames.MANIFEST)), dir);
      return m.metrics().get(retention.metric());
    } catch (IOException e) {
      LOG.warn(
          "Checkpoint {} has no readable manifest, so it cannot be kept as best by {}: {}",
          dir,
          retention.metric(),
          e.getMessage());
      return null;
    }
  }

  /**
   * Deletes the temporary directories that interrupted writes or deletions left in the root (only
   * names matching {@code .tmp-step-*-xxxxxxxx} or {@code .trash-step-*-xxxxxxxx}).
   *
   * @return the directories removed
   */
  public List<Path> cleanStaleTemps() throws IOException {
    List<Path> stale = CheckpointNames.tempDirs(root);
    for (Path p : stale) {
      LOG.warn("Removing {} left by an interrupted checkpoint write or deletion", p);
      Durable.deleteRecursively(p);
    }
    return stale;
  }
}
