package dev.mmict.storage.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything found while verifying one checkpoint directory: the manifest (when it could be
 * parsed), each file's result and the problems, errors first.
 *
 * @param dir the checkpoint directory
 * @param manifest the parsed manifest, empty when it is missing or malformed
 * @param files one result per file listed in the manifest, then one per unexpected file
 * @param problems errors (which refuse the checkpoint) and warnings
 */
public record VerificationReport(
    Path dir, Optional<Manifest> manifest, List<FileCheck> files, List<Problem> problems) {

  /** Takes defensive copies. */
  public VerificationReport {
    files = List.copyOf(files);
    problems = List.copyOf(problems);
  }

  /** True when there is no error (warnings allowed). */
  public boolean valid() {
    return errors().isEmpty();
  }

  /** The problems that refuse the checkpoint. */
  public List<Problem> errors() {
    return problems.stream().filter(p -> p.severity() == Problem.Severity.ERROR).toList();
  }

  /** The problems reported without refusing it. */
  public List<Problem> warnings() {
    return problems.stream().filter(p -> p.severity() == Problem.Severity.WARNING).toList();
  }

  /** The errors in one line, e.g. "file model.safetensors: truncated: ...; file ...". */
  public String errorSummary() {
    return errors().stream().map(Problem::describe).collect(Collectors.joining("; "));
  }

  /** The verified checkpoint, or a {@link CheckpointException} naming the first error's file. */
  public Checkpoint requireValid() throws CheckpointException {
    List<Problem> errors = errors();
    if (!errors.isEmpty()) {
      Problem first = errors.get(0);
      String problem =
          errors.size() == 1
              ? first.message()
              : first.message()
                  + " (and "
                  + (errors.size() - 1)
                  + " more: "
                  + errors.subList(1, errors.size()).stream()
                      .map(Problem::describe)
                      .collect(Collectors.joining("; "))
                  + ")";
      throw new CheckpointException(dir, first.file(), "refused: " + problem);
    }
    return new Checkpoint(dir, manifest.orElseThrow());
  }
}
