package dev.mmict.coordinator.recovery;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The run-state file of a coordinator: one {@link RunState} as JSON, replaced atomically (written
 * to a temporary file, forced to disk, renamed over the old one), so a reader sees the old state
 * or the new one, never a torn one. It lives beside the sample audit, on storage every coordinator
 * node of the run can read.
 */
public final class RunStateFile {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private final Path file;

  /** The run-state file at {@code file}. */
  public RunStateFile(Path file) {
    this.file = file;
  }

  /** The run-state file that belongs to the sample audit at {@code auditFile}: {@code <audit>.state.json}. */
  public static RunStateFile besideAudit(Path auditFile) {
    return new RunStateFile(auditFile.resolveSibling(auditFile.getFileName() + ".state.json"));
  }

  /** Where the file is. */
  public Path path() {
    return file;
  }

  /** The state in the file; empty when there is no file. A file that is not a run state is an error naming it. */
  public Optional<RunState> read() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    RunState state;
    try {
      state = JSON.readValue(bytes, RunState.class);
    } catch (IOException | RuntimeException e) {
      throw new IOException("run state " + file + " is not a run state: " + e.getMessage(), e);
    }
    if (state.format() != RunState.FORMAT) {
      throw new IOException("run state " + file + " has format " + state.format() + "; this build reads format "
          + RunState.FORMAT);
    }
    return Optional.of(state);
  }

  /** Replaces the file's content with {@code state}, atomically and durably. */
  public void write(RunState state) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(JSON.writeValueAsBytes(state));
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the file (and a leftover temporary file), if present. */
  public void delete() throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp"));
  }
}
