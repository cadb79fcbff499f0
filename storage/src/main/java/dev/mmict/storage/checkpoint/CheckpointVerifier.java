package dev.mmict.storage.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks one checkpoint directory against its manifest: the manifest's own digest, its schema, the
 * step in the directory name, the model fingerprint, and the size and sha256 of every file. A file
 * on disk that the manifest does not list is a warning, not an error: the checkpoint's content is
 * complete and intact without it, and nothing reads it.
 */
public final class CheckpointVerifier {

  private static final Pattern SHA256_LINE =
      Pattern.compile("([0-9a-f]{64}) [ *]manifest\\.json\\R?");

  private CheckpointVerifier() {}

  /**
   * Verifies {@code dir}.
   *
   * @param expectedFingerprint the model fingerprint the caller will load the parameters into, or
   *     null to accept any
   */
  public static VerificationReport verify(Path dir, String expectedFingerprint) {
    List<Problem> problems = new ArrayList<>();
    List<FileCheck> checks = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      problems.add(error(null, Files.exists(dir) ? "not a directory" : "does not exist"));
      return new VerificationReport(dir, Optional.empty(), checks, problems);
    }
    Optional<Manifest> manifest = readManifest(dir, problems);
    manifest.ifPresent(
        m -> {
          checkIdentity(dir, m, expectedFingerprint, problems);
          for (Map.Entry<String, Manifest.FileEntry> e : m.files().entrySet()) {
            FileCheck check = checkFile(dir, e.getKey(), e.getValue());
            checks.add(check);
            if (check.isError()) {
              problems.add(error(check.name(), describe(check)));
            }
          }
        });
    try {
      for (String extra : unexpectedEntries(dir, manifest)) {
        Path p = dir.resolve(extra);
        long size = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : -1;
        checks.add(new FileCheck(extra, FileCheck.Status.UNEXPECTED, -1, size, null, null));
        problems.add(
            new Problem(
                Problem.Severity.WARNING,
                extra,
                "not listed in the manifest; ignored (not part of the checkpoint)"));
      }
    } catch (IOException e) {
      problems.add(error(null, "cannot list the directory: " + e));
    }
    problems.sort((a, b) -> a.severity().compareTo(b.severity()));
    return new VerificationReport(dir, manifest, checks, problems);
  }

  /** Reads the manifest and checks it against its digest; adds problems, empty if unusable. */
  private static Optional<Manifest> readManifest(Path dir, List<Problem> problems) {
    Path manifestFile = dir.resolve(CheckpointNames.MANIFEST);
    if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
      problems.add(
          error(
              CheckpointNames.MANIFEST,
              "missing (the write did not complete, or this is not a checkpoint)"));
      return Optional.empty();
    }
    byte[] json;
    try {
      json = Files.readAllBytes(manifestFile);
    } catch (IOException e) {
      problems.add(error(CheckpointNames.MANIFEST, "cannot be read: " + e));
      return Optional.empty();
    }
    checkManifestDigest(dir, json, problems);
    try {
      return Optional.of(ManifestJson.parse(json, dir));
    } catch (CheckpointException e) {
      problems.add(error(CheckpointNames.MANIFEST, e.problem()));
      return Optional.empty();
    }
  }

  private static void checkManifestDigest(Path dir, byte[] json, List<Problem> problems) {
    Path digestFile = dir.resolve(CheckpointNames.MANIFEST_SHA256);
    if (!Files.isRegularFile(digestFile, LinkOption.NOFOLLOW_LINKS)) {
      problems.add(error(CheckpointNames.MANIFEST_SHA256, "missing"));
      return;
    }
    String line;
    try {
      line = Files.readString(digestFile, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      problems.add(error(CheckpointNames.MANIFEST_SHA256, "cannot be read: " + e));
      return;
    }
    Matcher m = SHA256_LINE.matcher(line);
    if (!m.matches()) {
      problems.add(
          error(
              CheckpointNames.MANIFEST_SHA256,
              "malformed; expected '<64 hex digits>  manifest.json'"));
      return;
    }
    String actual = Durable.sha256Hex(json);
    if (!actual.equals(m.group(1))) {
      problems.add(
          error(
              CheckpointNames.MANIFEST,
              "sha256 "
                  + actual
                  + " differs from the one recorded in "
                  + CheckpointNames.MANIFEST_SHA256
                  + " ("
                  + m.group(1)
                  + "): the manifest is corrupted"));
    }
  }

  private static void checkIdentity(
      Path dir, Manifest m, String expectedFingerprint, List<Problem> problems) {
    OptionalLong dirStep = CheckpointNames.parseStep(dir.getFileName().toString());
    if (dirStep.isPresent() && dirStep.getAsLong() != m.step()) {
      problems.add(
          error(
              CheckpointNames.MANIFEST,
              "step "
                  + m.step()
                  + " does not match the directory name "
                  + dir.getFileName()
                  + " (step "
                  + dirStep.getAsLong()
                  + ")"));
    }
    if (expectedFingerprint != null && !expectedFingerprint.equals(m.modelFingerprint())) {
      problems.add(
          error(
              CheckpointNames.MANIFEST,
              "model fingerprint "
                  + m.modelFingerprint()
                  + " does not match the expected "
                  + expectedFingerprint
                  + " (different architecture or vocabulary)"));
    }
  }

  private static FileCheck checkFile(Path dir, String name, Manifest.FileEntry entry) {
    Path p = dir.resolve(name);
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return new FileCheck(name, FileCheck.Status.MISSING, entry.size(), -1, entry.sha256(), null);
    }
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return new FileCheck(
          name, FileCheck.Status.NOT_A_FILE, entry.size(), -1, entry.sha256(), null);
    }
    try {
      long size = Files.size(p);
      if (size != entry.size()) {
        FileCheck.Status s =
            size < entry.size() ? FileCheck.Status.TRUNCATED : FileCheck.Status.OVERSIZED;
        return new FileCheck(name, s, entry.size(), size, entry.sha256(), null);
      }
      Durable.Digest d = Durable.hash(p);
      FileCheck.Status s =
          d.sha256().equals(entry.sha256()) && d.size() == entry.size()
              ? FileCheck.Status.OK
              : FileCheck.Status.SHA256_MISMATCH;
      return new FileCheck(name, s, entry.size(), d.size(), entry.sha256(), d.sha256());
    } catch (IOException e) {
      return new FileCheck(
          name, FileCheck.Status.UNREADABLE, entry.size(), -1, entry.sha256(), e.toString());
    }
  }

  /** Why a file check failed, in words. */
  static String describe(FileCheck c) {
    return switch (c.status()) {
      case OK -> "ok";
      case MISSING -> "missing (the manifest lists " + c.expectedSize() + " bytes)";
      case TRUNCATED ->
          "truncated: " + c.actualSize() + " bytes on disk, the manifest says " + c.expectedSize();
      case OVERSIZED ->
          "larger than recorded: "
              + c.actualSize()
              + " bytes on disk, the manifest says "
              + c.expectedSize();
      case SHA256_MISMATCH ->
          "content corrupted: sha256 "
              + c.actualSha256()
              + ", the manifest says "
              + c.expectedSha256();
      case NOT_A_FILE -> "not a regular file";
      case UNREADABLE -> "cannot be read: " + c.actualSha256();
      case UNEXPECTED -> "not listed in the manifest; ignored";
    };
  }

  /** Entries of {@code dir} that are neither the manifest files nor listed in the manifest. */
  private static List<String> unexpectedEntries(Path dir, Optional<Manifest> manifest)
      throws IOException {
    TreeSet<String> extra = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        boolean listed = manifest.map(m -> m.files().containsKey(name)).orElse(true);
        if (!CheckpointNames.isManifestFile(name) && !listed) {
          extra.add(name);
        }
      }
    }
    return new ArrayList<>(extra);
  }

  private static Problem error(String file, String message) {
    return new Problem(Problem.Severity.ERROR, file, message);
  }
}
