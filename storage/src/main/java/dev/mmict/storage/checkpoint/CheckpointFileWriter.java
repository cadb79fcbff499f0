package dev.mmict.storage.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one file of a checkpoint: the store passes the path inside its temporary directory and
 * afterwards fsyncs and hashes whatever the writer left there (the worker passes lambdas that call
 * hub's {@code Safetensors.write}).
 */
@FunctionalInterface
public interface CheckpointFileWriter {

  /**
   * Creates the regular file {@code target} (it does not exist yet) and returns when its content is
   * complete. It must create nothing else: any other entry fails the write.
   */
  void write(Path target) throws IOException;
}
