package dev.mmict.worker.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The fingerprint a worker registers with and the coordinator checks: sha256 over the backbone's
 * files (shape, weights, vocabulary), the seed that initialises the parameters the backbone does
 * not hold, and the training mode. Two replicas with equal fingerprints start identical.
 */
public final class ModelFingerprint {

  /** The files of a backbone directory the fingerprint covers, in order. */
  public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

  private ModelFingerprint() { }

  /** The hex fingerprint of the backbone at {@code dir} trained with {@code seed} in {@code mode}. */
  public static String of(Path dir, long seed, String mode) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (String name : FILES) {
        Path file = dir.resolve(name);
        md.update(name.getBytes(StandardCharsets.UTF_8));
        try (InputStream in = Files.newInputStream(file)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            md.update(buffer, 0, n);
          }
        }
      }
      md.update(("seed=" + seed + ";mode=" + mode).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
