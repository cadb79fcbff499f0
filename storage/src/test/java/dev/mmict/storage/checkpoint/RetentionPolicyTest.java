package dev.mmict.storage.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mmict.storage.checkpoint.RetentionPolicy.Candidate;
import dev.mmict.storage.checkpoint.RetentionPolicy.Mode;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

  private static final List<Candidate> RUN =
      List.of(
          new Candidate(60, 0.2),
          new Candidate(10, 0.1),
          new Candidate(20, 0.5),
          new Candidate(30, 0.9),
          new Candidate(40, null),
          new Candidate(50, 0.3));

  @Test
  void keepsTheLastN() {
    assertEquals(
        List.of(10L, 20L, 30L), RetentionPolicy.lastN(3).stepsToDelete(RUN, OptionalLong.empty()));
  }

  @Test
  void keepsTheBestByMaxOrMinBesidesTheLast() {
    // Last 1 = 60; best 2 by max = 30 (0.9) and 20 (0.5).
    assertEquals(
        List.of(10L, 40L, 50L),
        RetentionPolicy.lastAndBest(1, 2, "acc", Mode.MAX)
            .stepsToDelete(RUN, OptionalLong.empty()));
    // Last 1 = 60; best 2 by min = 10 (0.1) and 60 (0.2, already kept).
    assertEquals(
        List.of(20L, 30L, 40L, 50L),
        RetentionPolicy.lastAndBest(1, 2, "loss", Mode.MIN)
            .stepsToDelete(RUN, OptionalLong.empty()));
  }

  @Test
  void tiesPreferTheNewerCheckpoint() {
    List<Candidate> tied =
        List.of(new Candidate(10, 0.5), new Candidate(20, 0.5), new Candidate(30, 0.1));
    assertEquals(
        List.of(10L),
        RetentionPolicy.lastAndBest(1, 1, "acc", Mode.MAX)
            .stepsToDelete(tied, OptionalLong.empty()));
  }

  @Test
  void theProtectedStepSurvivesEvenWhenNeitherLastNorBest() {
    // Last 1 = 60, best 1 by max = 30, protected = 50.
    assertEquals(
        List.of(10L, 20L, 40L),
        RetentionPolicy.lastAndBest(1, 1, "acc", Mode.MAX).stepsToDelete(RUN, OptionalLong.of(50)));
  }

  @Test
  void keepAllDeletesNothing() {
    assertEquals(List.of(), RetentionPolicy.keepAll().stepsToDelete(RUN, OptionalLong.empty()));
  }

  @Test
  void invalidPoliciesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.lastN(0));
    assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(1, -1, null, null));
    assertThrows(
        IllegalArgumentException.class, () -> RetentionPolicy.lastAndBest(1, 1, "", Mode.MIN));
    assertThrows(
        IllegalArgumentException.class, () -> RetentionPolicy.lastAndBest(1, 1, "loss", null));
    assertEquals(Mode.MAX, Mode.parse(" Max "));
    assertThrows(IllegalArgumentException.class, () -> Mode.parse("best"));
  }
}
