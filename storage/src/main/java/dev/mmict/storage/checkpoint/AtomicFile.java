package dev.mmict.storage.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Replaces a small file crash-safely: readers see either the old content or the new, never a
 * torn write, and the new content survives a power loss once {@link #write} returns.
 */
public final class AtomicFile {

  private AtomicFile() {}

  /**
   * Writes {@code bytes} to a fresh temporary file beside {@code target}, flushes it to the
   * device, renames it over {@code target} atomically and flushes the directory entry. Creates
   * the parent directories. On failure the temporary file is removed and {@code target} is left
   * as it was.
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Files.createDirectories(dir);
    Path tmp =
        dir.resolve(
            "." + absolute.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Durable.writeSynced(tmp, bytes);
      Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException failure) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException cleanup) {
        failure.addSuppressed(cleanup);
      }
      throw failure;
    }
    Durable.syncDirectory(dir);
  }
}
