package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trial event journal and the one-line form of each event. */
class SweepJournalTest {

  @TempDir
  Path dir;

  private static final TrialEvent STARTED = new TrialEvent("trial-001", TrialEvent.Kind.STARTED, 4, 8, null, 4242,
      null, "log x.log");
  private static final TrialEvent STOPPED = new TrialEvent("trial-001", TrialEvent.Kind.STOPPED, 8, 8, 0.125, 0,
      null, "cutoff 0.25 at rung 8");
  private static final TrialEvent DIED = new TrialEvent("trial-002", TrialEvent.Kind.DIED, 0, 4, null, 17, 137, null);

  @Test
  void eventsComeBackInOrderAcrossJournalInstances() throws Exception {
    new EventJournal(dir).append(STARTED);
    new EventJournal(dir).append(DIED);
    EventJournal again = new EventJournal(dir);
    again.append(STOPPED);
    assertEquals(List.of(STARTED, DIED, STOPPED), EventJournal.read(dir));
    assertEquals(3, Files.readAllLines(again.file()).size(), "one line each");
    assertEquals(List.of(), EventJournal.read(dir.resolve("none")));
  }

  @Test
  void aLastLineCutShortIsSkippedButABadLineInTheMiddleIsAnError() throws Exception {
    EventJournal journal = new EventJournal(dir);
    journal.append(STARTED);
    Files.writeString(journal.file(), "{\"trial\":\"trial-0", StandardOpenOption.APPEND);
    assertEquals(List.of(STARTED), EventJournal.read(dir));
    Files.writeString(journal.file(), "\n", StandardOpenOption.APPEND);
    journal.append(STOPPED);
    IOException e = assertThrows(IOException.class, () -> EventJournal.read(dir));
    assertTrue(e.getMessage().contains(EventJournal.FILE_NAME + ":2: not a trial event"), e.getMessage());
  }

  @Test
  void eachEventIsOneReadableLine() {
    assertEquals("trial-001 started: steps 4 -> 8, process 4242 (log x.log)", STARTED.line("CIDEr"));
    assertEquals("trial-001 step 8: CIDEr 0.125000 -> stopped early (cutoff 0.25 at rung 8)", STOPPED.line("CIDEr"));
    assertEquals("trial-002 process 17 died (exit 137) at or after step 0", DIED.line("CIDEr"));
  }
}
