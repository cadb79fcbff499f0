package dev.mmict.storage.checkpoint;

import static dev.mmict.storage.checkpoint.Fixtures.FINGERPRINT;
import static dev.mmict.storage.checkpoint.Fixtures.MODEL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointInspectorTest {

  @TempDir Path root;

  private CheckpointStore store() {
    return new CheckpointStore(
        root,
        RetentionPolicy.keepAll(),
        Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC));
  }

  @Test
  void listShowsEachStepWithTimeSizeValidityAndMetrics() throws Exception {
    store().write(Fixtures.state(100, Map.of("val_loss", 0.5)), Fixtures.files(100));
    store().write(Fixtures.state(120, Map.of("val_loss", 0.25)), Fixtures.files(120));
    Files.write(root.resolve("step-00000120").resolve(MODEL), new byte[10]);
    Files.createDirectory(root.resolve(".tmp-step-00000140-0a1b2c3d"));

    Inspection out = CheckpointInspector.list(root);
    assertFalse(out.ok());
    String[] lines = out.text().split("\n");
    assertEquals("Checkpoints in " + root + ": 2", lines[0]);
    assertTrue(lines[1].startsWith("step"), lines[1]);
    // Files 3000 + 5000 bytes plus the manifest and its digest: a little over 7.8 KiB.
    assertTrue(
        lines[2].matches("100 +2025-03-01T12:00:00Z +8\\.\\d KiB +yes +val_loss=0\\.500000"),
        lines[2]);
    assertTrue(
        lines[3].matches("120 +2025-03-01T12:00:00Z +.* +NO +val_loss=0\\.250000"), lines[3]);
    assertTrue(
        lines[4].contains(
            "file model.safetensors: truncated: 10 bytes on disk, the manifest says 3000"),
        lines[4]);
    assertEquals(
        "Left by interrupted writes (removed by the next write): .tmp-step-00000140-0a1b2c3d",
        lines[5]);
  }

  @Test
  void listMarksTheBestValidCheckpointByTheMetric() throws Exception {
    store().write(Fixtures.state(10, Map.of("val_loss", 0.75)), Fixtures.files(10));
    store().write(Fixtures.state(20, Map.of("val_loss", 0.25)), Fixtures.files(20));
    store().write(Fixtures.state(30, Map.of("val_loss", 0.125)), Fixtures.files(30));
    store().write(Fixtures.state(40, Map.of("val_loss", 0.5)), Fixtures.files(40));
    store().write(Fixtures.state(50, Map.of("other", 0.0)), Fixtures.files(50));
    // The lowest value is in a damaged checkpoint: it is no candidate for the best.
    Files.write(root.resolve("step-00000030").resolve(MODEL), new byte[10]);

    String[] min = CheckpointInspector.list(root, "val_loss", RetentionPolicy.Mode.MIN).text().split("\n");
    assertTrue(min[3].matches("20 .*val_loss=0\\.250000  <- best val_loss"), min[3]);
    for (int i : new int[] {2, 4, 6, 7}) {
      assertFalse(min[i].contains("best"), min[i]);
    }
    String[] max = CheckpointInspector.list(root, "val_loss", RetentionPolicy.Mode.MAX).text().split("\n");
    assertTrue(max[2].endsWith("val_loss=0.750000  <- best val_loss"), max[2]);
    assertFalse(CheckpointInspector.list(root).text().contains("best"));
    assertFalse(
        CheckpointInspector.list(root, "cider", RetentionPolicy.Mode.MAX).text().contains("best"));
  }

  @Test
  void verifyReportsEveryFile() throws Exception {
    Checkpoint c = store().write(Fixtures.state(100), Fixtures.files(100));
    Inspection good = CheckpointInspector.verify(c.dir(), FINGERPRINT);
    assertTrue(good.ok());
    assertTrue(good.text().contains("OK               model.safetensors"), good.text());
    assertTrue(good.text().contains("OK               optimizer.safetensors"), good.text());
    assertTrue(good.text().endsWith("  VALID\n"), good.text());

    Files.delete(c.file(MODEL));
    Files.writeString(c.dir().resolve("notes.txt"), "hand-written");
    Inspection bad = CheckpointInspector.verify(c.dir(), "other");
    assertFalse(bad.ok());
    assertTrue(bad.text().contains("MISSING          model.safetensors"), bad.text());
    assertTrue(bad.text().contains("UNEXPECTED       notes.txt"), bad.text());
    assertTrue(bad.text().contains("ERROR  file manifest.json: model fingerprint"), bad.text());
    assertTrue(bad.text().endsWith("  INVALID (2 errors), 1 warning\n"), bad.text());

    // A root directory verifies every checkpoint in it.
    store().write(Fixtures.state(120), Fixtures.files(120));
    Inspection all = CheckpointInspector.verify(root, null);
    assertFalse(all.ok());
    assertTrue(all.text().startsWith("Verifying 2 checkpoints in " + root), all.text());
    assertTrue(all.text().contains("step-00000120 (step 120)\n"), all.text());
  }

  @Test
  void inspectSummarisesTheManifest() throws Exception {
    Checkpoint c =
        store().write(Fixtures.state(100, Map.of("val_cider", 0.125)), Fixtures.files(100));
    Inspection out = CheckpointInspector.inspect(c.dir());
    assertTrue(out.ok());
    String t = out.text();
    assertTrue(t.contains("  step:              100\n"), t);
    assertTrue(t.contains("  epoch:             1\n"), t);
    assertTrue(t.contains("  model fingerprint: " + FINGERPRINT + "\n"), t);
    assertTrue(t.contains("  metrics:           val_cider=0.125000\n"), t);
    assertTrue(
        t.contains("  data cursor:       {\"epoch_position\":800,\"split\":\"train\"}\n"), t);
    assertTrue(t.contains("  files:             2, 7.8 KiB\n"), t);
    String sha = c.manifest().files().get(MODEL).sha256();
    assertTrue(t.matches("(?s).*\n    model\\.safetensors +2\\.9 KiB  sha256 " + sha + "\n.*"), t);
    assertTrue(t.contains("  resolved config:\n    training:\n      lr: 1.0e-4\n"), t);

    assertThrows(
        CheckpointException.class, () -> CheckpointInspector.inspect(root.resolve("absent")));
  }
}
