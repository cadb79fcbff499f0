package dev.mmict.ops.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The samples-per-second figure counts from the end of the first step, not from before it. */
class SampleRateTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void nothingIsKnownBeforeTheSecondStepEnds() {
    SampleRate rate = new SampleRate();
    assertTrue(rate.perSecond().isEmpty());
    rate.stepFinished(30 * SECOND, 8);
    assertTrue(rate.perSecond().isEmpty(), "one step end is no interval");
  }

  @Test
  void startUpBeforeTheFirstStepAndItsSamplesAreLeftOut() {
    SampleRate rate = new SampleRate();
    // A cluster: the loop "started" at 0, the workers took 20 s to start, the first commit at 20.5 s.
    rate.stepFinished(20_500_000_000L, 8);
    rate.stepFinished(21_000_000_000L, 8);
    rate.stepFinished(21_500_000_000L, 8);
    rate.stepFinished(22_500_000_000L, 6);
    // Steps 2..4: 8 + 8 + 6 = 22 samples over 22.5 - 20.5 = 2 s.
    assertEquals(11.0, rate.perSecond().getAsDouble(), 1e-12);
  }

  @Test
  void stepsEndingAtTheSameInstantGiveNoRate() {
    SampleRate rate = new SampleRate();
    rate.stepFinished(5 * SECOND, 4);
    rate.stepFinished(5 * SECOND, 4);
    assertTrue(rate.perSecond().isEmpty());
  }
}
