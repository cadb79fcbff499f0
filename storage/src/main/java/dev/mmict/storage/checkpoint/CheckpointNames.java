package dev.mmict.storage.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names inside a checkpoint root: step directories, temporary directories and file names. */
final class CheckpointNames {

  /** The manifest of a checkpoint. */
  static final String MANIFEST = "manifest.json";

  /**
   * The sha256 of {@link #MANIFEST}, in {@code sha256sum} format, so the manifest is checked too.
   */
  static final String MANIFEST_SHA256 = "manifest.json.sha256";

  private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{8,18})");

  /**
   * Directories that only this store creates and that never hold a complete checkpoint: a write in
   * progress ({@code .tmp-}) or a checkpoint being deleted ({@code .trash-}). Anything left under
   * such a name was interrupted by a crash and is safe to remove.
   */
  private static final Pattern TEMP_DIR =
      Pattern.compile("\\.(tmp|trash)-step-\\d{8,18}-[0-9a-f]{8}");

  /** File names a caller may use: one path segment, no hidden files, no surprises in a shell. */
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  private CheckpointNames() {}

  /** {@code step-00000120}. */
  static String stepDir(long step) {
    if (step < 0) {
      throw new IllegalArgumentException("A checkpoint step must be >= 0, got " + step);
    }
    return String.format(Locale.ROOT, "step-%08d", step);
  }

  /** The step of a step directory's name, or empty for any other name. */
  static OptionalLong parseStep(String name) {
    Matcher m = STEP_DIR.matcher(name);
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  /** A fresh temporary name for writing ({@code kind = "tmp"}) or deleting ({@code "trash"}). */
  static String tempDir(String kind, long step) {
    return String.format(
        Locale.ROOT, ".%s-%s-%08x", kind, stepDir(step), ThreadLocalRandom.current().nextInt());
  }

  static boolean isTempDir(String name) {
    return TEMP_DIR.matcher(name).matches();
  }

  static boolean isManifestFile(String name) {
    return name.equals(MANIFEST) || name.equals(MANIFEST_SHA256);
  }

  /** Throws unless {@code name} may name a checkpoint file written by a caller. */
  static void requireValidFileName(String name) {
    if (name == null || !FILE_NAME.matcher(name).matches() || isManifestFile(name)) {
      throw new IllegalArgumentException(
          "Invalid checkpoint file name '"
              + name
              + "': use letters, digits, '.', '_' and '-' (not first), at most 200 characters,"
              + " and not "
              + MANIFEST
              + " or "
              + MANIFEST_SHA256);
    }
  }

  /** The step directories directly under {@code root}, ascending by step; none if it is absent. */
  static List<Path> stepDirs(Path root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return dirs;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) {
        if (parseStep(p.getFileName().toString()).isPresent()) {
          dirs.add(p);
        }
      }
    }
    dirs.sort(Comparator.comparingLong(CheckpointNames::stepOf));
    return dirs;
  }

  /** The temporary directories directly under {@code root}, by name. */
  static List<Path> tempDirs(Path root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return dirs;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) {
        if (isTempDir(p.getFileName().toString())) {
          dirs.add(p);
        }
      }
    }
    dirs.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return dirs;
  }

  /** The step of a step directory (its name must match). */
  static long stepOf(Path stepDir) {
    return parseStep(stepDir.getFileName().toString()).orElseThrow();
  }
}
