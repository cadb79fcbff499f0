package dev.mmict.storage.checkpoint;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run in a child JVM by {@link CheckpointStoreTest}: starts writing checkpoint {@code step} into
 * {@code root} and kills the JVM (exit status 3, no shutdown hooks, no finally blocks) halfway
 * through the model file, like a power loss or SIGKILL.
 */
public final class CrashingWriterMain {

  private CrashingWriterMain() {}

  /** Arguments: root directory, step. */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    long step = Long.parseLong(args[1]);
    new CheckpointStore(root, RetentionPolicy.lastN(1))
        .write(
            Fixtures.state(step),
            Map.of(
                Fixtures.MODEL,
                target -> {
                  byte[] all = Fixtures.content(step, Fixtures.MODEL, 3000);
                  try (OutputStream out = Files.newOutputStream(target)) {
                    out.write(all, 0, all.length / 2);
                    out.flush();
                    Runtime.getRuntime().halt(3);
                  }
                }));
    // Not reached: halt() above never returns.
    System.exit(1);
  }
}
