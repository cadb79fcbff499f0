package dev.mmict.coordinator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrialSamplerTest {

  private static final SearchSpace SPACE = new SearchSpace(List.of(
      new Parameter.Grid("data.shots", List.of(0, 4)),
      new Parameter.LogUniform("trainer.lr", 1e-4, 1e-2),
      new Parameter.Grid("trainer.mode", List.of("MMICT", "VanillaICT", "VanillaFT")),
      new Parameter.Choice("data.strategy", List.of("random", "same-group")),
      new Parameter.IntUniform("trainer.warmupSteps", 0, 5)));

  @Test
  void gridIsRepeatedPerSampleLastGridKeyFastest() {
    List<TrialSpec> trials = new TrialSampler(SPACE, 7).trials(2);
    assertEquals(12, trials.size(), "2 samples x 2 shots x 3 modes");
    Object[][] grid = {{0L, "MMICT"}, {0L, "VanillaICT"}, {0L, "VanillaFT"},
        {4L, "MMICT"}, {4L, "VanillaICT"}, {4L, "VanillaFT"}};
    for (int i = 0; i < 12; i++) {
      TrialSpec t = trials.get(i);
      assertEquals(i, t.index());
      assertEquals(String.format("trial-%03d", i), t.id());
      assertEquals(grid[i % 6][0], t.params().get("data.shots"), "trial " + i);
      assertEquals(grid[i % 6][1], t.params().get("trainer.mode"), "trial " + i);
      assertEquals(SPACE.keys(), List.copyOf(t.params().keySet()), "params follow the space order");
    }
    assertEquals(3, new TrialSampler(new SearchSpace(List.of(new Parameter.Uniform("x", 0, 1))), 1).trialCount(3),
        "without a grid, samples is the number of trials");
    assertThrows(IllegalArgumentException.class, () -> new TrialSampler(SPACE, 1).trials(0));
  }

  @Test
  void sameSeedSameTrialsAndOtherSeedOtherDraws() {
    assertEquals(new TrialSampler(SPACE, 42).trials(3), new TrialSampler(SPACE, 42).trials(3));
    List<TrialSpec> a = new TrialSampler(SPACE, 42).trials(1);
    List<TrialSpec> b = new TrialSampler(SPACE, 43).trials(1);
    assertNotEquals(a.get(0).params().get("trainer.lr"), b.get(0).params().get("trainer.lr"));
    // Trials do not depend on how many are drawn.
    assertEquals(new TrialSampler(SPACE, 42).trials(5).subList(0, 6), new TrialSampler(SPACE, 42).trials(1));
  }

  @Test
  void drawsFollowTheDocumentedDerivation() {
    long seed = 123456789L;
    SearchSpace space = new SearchSpace(List.of(new Parameter.Uniform("trainer.weightDecay", 0.25, 0.75),
        new Parameter.IntUniform("data.shots", 1, 9)));
    for (int i = 0; i < 20; i++) {
      TrialSpec t = new TrialSampler(space, seed).trial(i);
      double u1 = specUniform(seed, i, "trainer.weightDecay");
      assertEquals(0.25 + u1 * 0.5, (Double) t.params().get("trainer.weightDecay"), 0.0);
      double u2 = specUniform(seed, i, "data.shots");
      assertEquals(1 + (long) Math.floor(u2 * 8), t.params().get("data.shots"));
    }
  }

  @Test
  void addingAParameterLeavesTheOtherDrawsAlone() {
    SearchSpace one = new SearchSpace(List.of(new Parameter.Uniform("trainer.gradClip", 0, 2)));
    SearchSpace two = new SearchSpace(List.of(new Parameter.Choice("data.strategy", List.of("random", "auto")),
        new Parameter.Uniform("trainer.gradClip", 0, 2)));
    for (int i = 0; i < 10; i++) {
      assertEquals(new TrialSampler(one, 5).trial(i).params().get("trainer.gradClip"),
          new TrialSampler(two, 5).trial(i).params().get("trainer.gradClip"));
    }
  }

  @Test
  void drawsStayInRangeAndCoverTheValues() {
    List<TrialSpec> trials = new TrialSampler(SPACE, 3).trials(400);
    Set<Object> warmups = new HashSet<>();
    Set<Object> strategies = new HashSet<>();
    int belowGeometricMean = 0;
    for (TrialSpec t : trials) {
      double lr = (Double) t.params().get("trainer.lr");
      assertTrue(lr >= 1e-4 && lr < 1e-2, "lr " + lr);
      if (lr < 1e-3) {
        belowGeometricMean++;
      }
      long warmup = (Long) t.params().get("trainer.warmupSteps");
      assertTrue(warmup >= 0 && warmup < 5, "warmup " + warmup);
      warmups.add(warmup);
      strategies.add(t.params().get("data.strategy"));
    }
    assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), warmups, "high is excluded, every other value drawn");
    assertEquals(Set.of("random", "same-group"), strategies);
    double share = belowGeometricMean / (double) trials.size();
    assertTrue(Math.abs(share - 0.5) < 0.05, "log-uniform: half below the geometric mean, got " + share);
  }

  @Test
  void emptySpaceGivesIdenticalTrials() {
    List<TrialSpec> trials = new TrialSampler(new SearchSpace(List.of()), 1).trials(2);
    assertEquals(2, trials.size());
    assertEquals(Map.of(), trials.get(1).params());
  }

  /** The derivation as the TrialSampler Javadoc states it, computed with unsigned big integers. */
  private static double specUniform(long seed, int index, String key) {
    BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    BigInteger k = new BigInteger("cbf29ce484222325", 16);
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      k = k.xor(BigInteger.valueOf(b & 0xff)).multiply(new BigInteger("100000001b3", 16)).and(mask);
    }
    BigInteger s = BigInteger.valueOf(seed).and(mask);
    BigInteger h = mix(mix(s.xor(k)).add(BigInteger.valueOf(index)).and(mask));
    return mix(h).shiftRight(11).doubleValue() / Math.pow(2, 53);
  }

  private static BigInteger mix(BigInteger z) {
    BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    z = z.xor(z.shiftRight(30)).multiply(new BigInteger("bf58476d1ce4e5b9", 16)).and(mask);
    z = z.xor(z.shiftRight(27)).multiply(new BigInteger("94d049bb133111eb", 16)).and(mask);
    return z.xor(z.shiftRight(31));
  }
}
