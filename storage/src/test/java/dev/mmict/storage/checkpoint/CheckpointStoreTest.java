package dev.mmict.storage.checkpoint;

import static dev.mmict.storage.checkpoint.Fixtures.FINGERPRINT;
import static dev.mmict.storage.checkpoint.Fixtures.MODEL;
import static dev.mmict.storage.checkpoint.Fixtures.OPTIMIZER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  @TempDir Path root;

  private CheckpointStore store(RetentionPolicy policy) {
    return new CheckpointStore(root, policy, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private CheckpointStore store() {
    return store(RetentionPolicy.keepAll());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private List<String> rootEntries() throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void roundTripKeepsFilesAndEveryManifestField() throws Exception {
    CheckpointState state = Fixtures.state(120, Map.of("val_loss", 0.25, "val_cider", 0.5));
    Checkpoint written = store().write(state, Fixtures.files(120));

    assertEquals(root.resolve("step-00000120"), written.dir());
    assertEquals(List.of("step-00000120"), rootEntries());
    try (Stream<Path> s = Files.list(written.dir())) {
      assertEquals(
          List.of("manifest.json", "manifest.json.sha256", MODEL, OPTIMIZER),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }

    Checkpoint read = store().open(120, FINGERPRINT);
    Manifest m = read.manifest();
    assertEquals(Manifest.SCHEMA_VERSION, m.schemaVersion());
    assertEquals(120, m.step());
    assertEquals(1, m.epoch());
    assertEquals(NOW, m.createdAt());
    assertEquals(state.dataCursor(), m.dataCursor());
    assertEquals(state.samplerState(), m.samplerState());
    assertEquals(Fixtures.json("{\"torch\":[1,-2,9223372036854775807]}"), m.rngStates());
    assertEquals(state.config(), m.config());
    assertEquals(FINGERPRINT, m.modelFingerprint());
    assertEquals(0.25, m.metric("val_loss").getAsDouble());
    assertEquals(0.5, m.metric("val_cider").getAsDouble());
    assertEquals(written.manifest(), m);

    byte[] model = Fixtures.content(120, MODEL, 3000);
    assertArrayEquals(model, Files.readAllBytes(read.file(MODEL)));
    assertEquals(new Manifest.FileEntry(sha256(model), 3000), m.files().get(MODEL));
    byte[] opt = Fixtures.content(120, OPTIMIZER, 5000);
    assertEquals(new Manifest.FileEntry(sha256(opt), 5000), m.files().get(OPTIMIZER));

    // The manifest's own digest is in sha256sum format, so `sha256sum -c` works in the directory.
    byte[] json = Files.readAllBytes(read.dir().resolve("manifest.json"));
    assertEquals(
        sha256(json) + "  manifest.json\n",
        Files.readString(read.dir().resolve("manifest.json.sha256"), StandardCharsets.US_ASCII));
    assertThrows(IllegalArgumentException.class, () -> read.file("notes.txt"));
  }

  @Test
  void nonFiniteMetricIsStoredAsNull() throws Exception {
    store().write(Fixtures.state(5, Map.of("val_loss", Double.NaN)), Fixtures.files(5));
    Manifest m = store().open(5, null).manifest();
    assertTrue(m.metrics().containsKey("val_loss"));
    assertTrue(m.metric("val_loss").isEmpty());
  }

  @Test
  void failingWriterLeavesNoNewCheckpointAndKeepsThePrevious() throws Exception {
    CheckpointStore store = store(RetentionPolicy.lastN(1));
    store.write(Fixtures.state(120), Fixtures.files(120));

    Map<String, CheckpointFileWriter> files = Fixtures.files(140);
    files.put(
        OPTIMIZER,
        target -> {
          try (OutputStream out = Files.newOutputStream(target)) {
            out.write(new byte[2500]);
          }
          throw new IOException("disk full");
        });
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> store.write(Fixtures.state(140), files));
    assertEquals(OPTIMIZER, e.file());
    assertTrue(e.getMessage().contains("step-00000140"), e.getMessage());
    assertTrue(e.getMessage().contains("disk full"), e.getMessage());

    assertEquals(List.of("step-00000120"), rootEntries());
    assertTrue(store.verify(120, FINGERPRINT).valid());
  }

  @Test
  void killedWriterLeavesPreviousIntactAndItsTempDirIsCleanedByTheNextWrite() throws Exception {
    CheckpointStore store = store(RetentionPolicy.lastN(1));
    store.write(Fixtures.state(120), Fixtures.files(120));
    Files.createDirectory(root.resolve("notes"));
    Files.createDirectory(root.resolve(".tmp-other"));

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                CrashingWriterMain.class.getName(),
                root.toString(),
                "140")
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("child.log").toFile())
            .start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the crashing writer did not finish");
    assertEquals(3, child.exitValue(), Files.readString(root.resolve("child.log")));

    List<Path> temps = CheckpointNames.tempDirs(root);
    assertEquals(1, temps.size(), "the killed write should have left its temporary directory");
    assertTrue(temps.get(0).getFileName().toString().startsWith(".tmp-step-00000140-"));
    assertEquals(1500, Files.size(temps.get(0).resolve(MODEL)));
    assertFalse(Files.exists(root.resolve("step-00000140")));

    LatestValid latest = store.latestValid(FINGERPRINT);
    assertEquals(120, latest.checkpoint().orElseThrow().step());
    assertFalse(latest.fellBack());

    store.write(Fixtures.state(160), Fixtures.files(160));
    assertEquals(List.of(".tmp-other", "child.log", "notes", "step-00000160"), rootEntries());
  }

  @Test
  void truncatedFileIsRefusedNamingCheckpointAndFile() throws Exception {
    Checkpoint c = store().write(Fixtures.state(120), Fixtures.files(120));
    try (var ch =
        java.nio.channels.FileChannel.open(c.file(MODEL), java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(1000);
    }
    VerificationReport r = store().verify(120, FINGERPRINT);
    assertFalse(r.valid());
    FileCheck check =
        r.files().stream().filter(f -> f.name().equals(MODEL)).findFirst().orElseThrow();
    assertEquals(FileCheck.Status.TRUNCATED, check.status());
    assertEquals(1000, check.actualSize());
    assertEquals(3000, check.expectedSize());

    CheckpointException e =
        assertThrows(CheckpointException.class, () -> store().open(120, FINGERPRINT));
    assertEquals(MODEL, e.file());
    assertTrue(e.getMessage().contains("step-00000120"), e.getMessage());
    assertTrue(e.getMessage().contains(MODEL), e.getMessage());
    assertTrue(
        e.getMessage().contains("truncated: 1000 bytes on disk, the manifest says 3000"),
        e.getMessage());
  }

  @Test
  void flippedByteIsRefusedAsCorrupted() throws Exception {
    Checkpoint c = store().write(Fixtures.state(120), Fixtures.files(120));
    byte[] b = Files.readAllBytes(c.file(OPTIMIZER));
    b[4321] ^= 0x10;
    Files.write(c.file(OPTIMIZER), b);

    CheckpointException e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertEquals(OPTIMIZER, e.file());
    assertTrue(e.getMessage().contains("step-00000120"), e.getMessage());
    assertTrue(e.getMessage().contains("content corrupted: sha256 " + sha256(b)), e.getMessage());
  }

  @Test
  void missingFileIsRefused() throws Exception {
    Checkpoint c = store().write(Fixtures.state(120), Fixtures.files(120));
    Files.delete(c.file(MODEL));
    CheckpointException e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertEquals(MODEL, e.file());
    assertTrue(
        e.getMessage().contains("step-00000120, file model.safetensors: refused: missing"),
        e.getMessage());
  }

  @Test
  void unexpectedExtraFileIsOnlyAWarning() throws Exception {
    Checkpoint c = store().write(Fixtures.state(120), Fixtures.files(120));
    Files.writeString(c.dir().resolve("notes.txt"), "copied here by hand");

    VerificationReport r = store().verify(120, FINGERPRINT);
    assertTrue(r.valid());
    assertEquals(1, r.warnings().size());
    assertEquals("notes.txt", r.warnings().get(0).file());
    assertEquals(120, store().open(120, FINGERPRINT).step());
  }

  @Test
  void manifestEditedWithoutItsDigestIsRefused() throws Exception {
    Checkpoint c = store().write(Fixtures.state(120), Fixtures.files(120));
    Path manifest = c.dir().resolve("manifest.json");
    Files.writeString(
        manifest, Files.readString(manifest).replace("\"epoch\" : 1", "\"epoch\" : 2"));

    CheckpointException e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertEquals("manifest.json", e.file());
    assertTrue(e.getMessage().contains("step-00000120"), e.getMessage());
    assertTrue(e.getMessage().contains("the manifest is corrupted"), e.getMessage());
  }

  /** Replaces the manifest by {@code json} with a matching digest, so only parsing can object. */
  private static void replaceManifest(Path dir, String json) throws Exception {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve("manifest.json"), bytes);
    Files.writeString(dir.resolve("manifest.json.sha256"), sha256(bytes) + "  manifest.json\n");
  }

  @Test
  void malformedManifestIsRefusedNamingTheProblem() throws Exception {
    Checkpoint c = store().write(Fixtures.state(120), Fixtures.files(120));
    String good = Files.readString(c.dir().resolve("manifest.json"));

    replaceManifest(c.dir(), good.substring(0, good.length() / 2));
    CheckpointException e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertEquals("manifest.json", e.file());
    assertTrue(e.getMessage().contains("step-00000120"), e.getMessage());
    assertTrue(e.getMessage().contains("is not valid JSON"), e.getMessage());

    replaceManifest(c.dir(), good.replace("\"step\" : 120,", ""));
    e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertTrue(e.getMessage().contains("missing key 'step'"), e.getMessage());

    replaceManifest(c.dir(), good.replace("\"schema_version\" : 1", "\"schema_version\" : 2"));
    e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertTrue(e.getMessage().contains("unsupported schema version 2"), e.getMessage());

    replaceManifest(c.dir(), good.replace("\"epoch\" : 1", "\"epoch\" : 1, \"colour\" : \"red\""));
    e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertTrue(e.getMessage().contains("unknown key 'colour'"), e.getMessage());

    Files.delete(c.dir().resolve("manifest.json"));
    e = assertThrows(CheckpointException.class, () -> store().open(120, null));
    assertTrue(e.getMessage().contains("manifest.json: refused: missing"), e.getMessage());
  }

  @Test
  void fingerprintMismatchIsRefused() throws Exception {
    store().write(Fixtures.state(120), Fixtures.files(120));
    CheckpointException e =
        assertThrows(
            CheckpointException.class, () -> store().open(120, "mmict-base/v1/vocab-0000"));
    assertEquals("manifest.json", e.file());
    assertTrue(e.getMessage().contains("step-00000120"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "model fingerprint "
                    + FINGERPRINT
                    + " does not match the expected mmict-base/v1/vocab-0000"),
        e.getMessage());
    assertTrue(store().verify(120, null).valid());
  }

  @Test
  void directoryRenamedToAnotherStepIsRefused() throws Exception {
    Checkpoint c = store().write(Fixtures.state(120), Fixtures.files(120));
    Files.move(c.dir(), root.resolve("step-00000140"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> store().open(140, null));
    assertTrue(
        e.getMessage().contains("step 120 does not match the directory name step-00000140"),
        e.getMessage());
  }

  @Test
  void latestValidFallsBackAndReportsWhatItSkipped() throws Exception {
    CheckpointStore store = store();
    for (long step : new long[] {100, 120, 140}) {
      store.write(Fixtures.state(step), Fixtures.files(step));
    }
    Files.delete(store.dirOf(140).resolve(OPTIMIZER));
    Files.write(store.dirOf(120).resolve(MODEL), new byte[3000]);

    LatestValid latest = store.latestValid(FINGERPRINT);
    assertEquals(100, latest.checkpoint().orElseThrow().step());
    assertTrue(latest.fellBack());
    assertEquals(
        List.of(140L, 120L), latest.skipped().stream().map(LatestValid.Skipped::step).toList());
    assertTrue(latest.skipped().get(0).reason().contains("file optimizer.safetensors: missing"));
    assertTrue(
        latest.skipped().get(1).reason().contains("file model.safetensors: content corrupted"));
    assertTrue(
        latest
            .describe()
            .startsWith(
                "Resuming from step-00000100 (step 100); skipped newer invalid step-00000140"),
        latest.describe());

    LatestValid none = store.latestValid("another-model");
    assertTrue(none.checkpoint().isEmpty());
    assertEquals(3, none.skipped().size());
  }

  @Test
  void latestValidOfAnEmptyOrMissingRootIsEmpty() throws Exception {
    LatestValid latest =
        new CheckpointStore(root.resolve("absent"), RetentionPolicy.keepAll()).latestValid(null);
    assertTrue(latest.checkpoint().isEmpty());
    assertTrue(latest.skipped().isEmpty());
  }

  @Test
  void retentionKeepsLastNAndBestByMetricAfterEachWrite() throws Exception {
    CheckpointStore store =
        store(RetentionPolicy.lastAndBest(2, 1, "val_loss", RetentionPolicy.Mode.MIN));
    double[] losses = {0.9, 0.3, 0.5, 0.6, 0.4, 0.7};
    for (int i = 0; i < losses.length; i++) {
      long step = 10L * (i + 1);
      store.write(Fixtures.state(step, Map.of("val_loss", losses[i])), Fixtures.files(step));
    }
    // Last two: 50 and 60; best loss: 0.3 at step 20.
    assertEquals(List.of("step-00000020", "step-00000050", "step-00000060"), rootEntries());
    for (long step : new long[] {20, 50, 60}) {
      assertTrue(store.verify(step, FINGERPRINT).valid());
    }
  }

  @Test
  void retentionNeverDeletesTheNewestValidCheckpoint() throws Exception {
    store().write(Fixtures.state(10), Fixtures.files(10));
    store().write(Fixtures.state(20), Fixtures.files(20));
    Files.delete(root.resolve("step-00000020").resolve(MODEL));

    // The last one by step is the corrupt 20; the newest valid, 10, is protected too.
    assertEquals(List.of(), store(RetentionPolicy.lastN(1)).applyRetention());
    assertEquals(List.of("step-00000010", "step-00000020"), rootEntries());

    store().write(Fixtures.state(30), Fixtures.files(30));
    assertEquals(List.of(10L, 20L), store(RetentionPolicy.lastN(1)).applyRetention());
    assertEquals(List.of("step-00000030"), rootEntries());
  }

  @Test
  void rewritingAStepReplacesTheCorruptDirectory() throws Exception {
    store().write(Fixtures.state(120), Fixtures.files(120));
    Files.delete(store().dirOf(120).resolve(MODEL));
    Files.writeString(store().dirOf(120).resolve("stray.txt"), "x");

    store().write(Fixtures.state(120), Fixtures.files(120));
    VerificationReport r = store().verify(120, FINGERPRINT);
    assertTrue(r.valid());
    assertTrue(r.warnings().isEmpty(), "the old directory's stray file must be gone");
    assertEquals(List.of("step-00000120"), rootEntries());
  }

  @Test
  void badFileNamesAndWritersAreRefused() throws Exception {
    for (String bad :
        new String[] {"../escape", "manifest.json", "manifest.json.sha256", ".hidden", "a/b", ""}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> store().write(Fixtures.state(1), Map.of(bad, t -> Files.write(t, new byte[1]))),
          bad);
    }
    CheckpointException lazy =
        assertThrows(
            CheckpointException.class,
            () -> store().write(Fixtures.state(1), Map.of(MODEL, t -> {})));
    assertTrue(lazy.getMessage().contains("without creating a regular file"), lazy.getMessage());

    CheckpointException sneaky =
        assertThrows(
            CheckpointException.class,
            () ->
                store()
                    .write(
                        Fixtures.state(1),
                        Map.of(
                            MODEL,
                            t -> {
                              Files.write(t, new byte[1]);
                              Files.write(t.resolveSibling("side.bin"), new byte[1]);
                            })));
    assertEquals("side.bin", sneaky.file());
    assertTrue(
        rootEntries().stream().noneMatch(n -> n.startsWith("step-") || n.startsWith(".tmp-")),
        rootEntries().toString());
  }
}
