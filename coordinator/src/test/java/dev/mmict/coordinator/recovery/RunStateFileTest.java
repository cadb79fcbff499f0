package dev.mmict.coordinator.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run-state file: replaced whole, read back equal (NaN losses included), errors name the file. */
class RunStateFileTest {

  @TempDir
  Path dir;

  @Test
  void aWrittenStateReadsBackEqualAndAReplacementReplacesIt() throws IOException {
    RunStateFile file = RunStateFile.besideAudit(dir.resolve("audit.jsonl"));
    assertEquals(dir.resolve("audit.jsonl.state.json"), file.path());
    assertTrue(file.read().isEmpty(), "no file yet");
    RunState first = RunState.start("run-1", "ab".repeat(32), 0);
    file.write(first);
    assertEquals(first, file.read().orElseThrow());
    RunState later = new RunState(RunState.FORMAT, "run-1", "ab".repeat(32), 1, 4, "cafe", 3,
        List.of(2.5, Double.NaN, 1.25), RunState.FAILED, "replicas disagree");
    file.write(later);
    RunState back = file.read().orElseThrow();
    assertEquals(later.lastCommittedStep(), back.lastCommittedStep());
    assertEquals(later.detail(), back.detail());
    assertEquals(3, back.losses().size());
    assertTrue(Double.isNaN(back.losses().get(1)), "an unknown loss stays unknown: " + back.losses());
    assertEquals(2.5, back.losses().get(0));
    assertFalse(Files.exists(dir.resolve("audit.jsonl.state.json.tmp")), "the temporary file was renamed");
  }

  @Test
  void aFileThatIsNotARunStateIsAnErrorNamingIt() throws IOException {
    RunStateFile file = new RunStateFile(dir.resolve("state.json"));
    Files.writeString(file.path(), "{\"format\": 1, \"runId\": ");
    String message = assertThrows(IOException.class, file::read).getMessage();
    assertTrue(message.contains(file.path().toString()), message);
    Files.writeString(file.path(), "{\"format\":9,\"runId\":\"r\",\"modelFingerprint\":\"f\",\"incarnation\":0,"
        + "\"lastCommittedStep\":-1,\"stepsAborted\":0,\"outcome\":\"running\"}");
    String format = assertThrows(IOException.class, file::read).getMessage();
    assertTrue(format.contains("format 9"), format);
  }
}
