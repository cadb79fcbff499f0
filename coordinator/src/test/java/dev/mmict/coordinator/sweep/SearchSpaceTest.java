package dev.mmict.coordinator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every validation error of a search space names the key and says what is wrong. */
class SearchSpaceTest {

  private static void rejects(String key, String fragment, Executable build) {
    SearchSpaceException e = assertThrows(SearchSpaceException.class, build);
    assertEquals(key, e.key());
    assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
    assertTrue(e.problem().contains(fragment), e.problem());
  }

  @Test
  void emptyValueLists() {
    rejects("data.shots", "grid needs at least one value", () -> new Parameter.Grid("data.shots", List.of()));
    rejects("data.strategy", "choice needs at least one value",
        () -> new Parameter.Choice("data.strategy", List.of()));
  }

  @Test
  void emptyRanges() {
    rejects("trainer.lr", "uniform range [0.5, 0.5) is empty", () -> new Parameter.Uniform("trainer.lr", 0.5, 0.5));
    rejects("trainer.lr", "low must be below high", () -> new Parameter.Uniform("trainer.lr", 0.6, 0.5));
    rejects("trainer.lr", "logUniform range", () -> new Parameter.LogUniform("trainer.lr", 1e-2, 1e-3));
    rejects("data.shots", "intUniform range [4, 4) is empty", () -> new Parameter.IntUniform("data.shots", 4, 4));
    rejects("data.shots", "intUniform range [5, 2) is empty", () -> new Parameter.IntUniform("data.shots", 5, 2));
    rejects("seed", "too wide", () -> new Parameter.IntUniform("seed", Long.MIN_VALUE, Long.MAX_VALUE));
  }

  @Test
  void logUniformNeedsPositiveBounds() {
    rejects("trainer.lr", "positive bounds, got low 0.0", () -> new Parameter.LogUniform("trainer.lr", 0, 1e-3));
    rejects("trainer.lr", "positive bounds, got low -1.0", () -> new Parameter.LogUniform("trainer.lr", -1, 1e-3));
  }

  @Test
  void nonFiniteBounds() {
    rejects("trainer.lr", "must be finite",
        () -> new Parameter.Uniform("trainer.lr", 0, Double.POSITIVE_INFINITY));
    rejects("trainer.lr", "must be finite", () -> new Parameter.LogUniform("trainer.lr", Double.NaN, 1));
  }

  @Test
  void wrongValueTypes() {
    rejects("data.shots", "value 1 (a) is a string, value 0 a number",
        () -> new Parameter.Grid("data.shots", List.of(1, "a")));
    rejects("eval.withDemos", "value 1 must be a string, number or boolean, got null",
        () -> new Parameter.Choice("eval.withDemos", Arrays.asList(true, null)));
    rejects("data.task", "got ArrayList",
        () -> new Parameter.Grid("data.task", List.of(new java.util.ArrayList<>(List.of("x")))));
    rejects("trainer.lr", "must be a string, number or boolean",
        () -> new Parameter.Grid("trainer.lr", List.of(1.0, Double.NaN)));
  }

  @Test
  void duplicateAndBlankKeys() {
    rejects("trainer.lr", "searched twice", () -> new SearchSpace(List.of(
        new Parameter.Uniform("trainer.lr", 0.1, 0.2), new Parameter.Grid("trainer.lr", List.of(0.1)))));
    rejects(" ", "needs a configuration key", () -> new Parameter.Grid(" ", List.of(1)));
  }

  @Test
  void valuesAreNormalisedAndNumbersMayMixIntegersAndReals() {
    Parameter.Grid grid = new Parameter.Grid("trainer.lr", List.of(1, 2.5f, 3L));
    assertEquals(List.of(1L, 2.5, 3L), grid.values());
    SearchSpace space = new SearchSpace(List.of(grid, new Parameter.Grid("data.shots", List.of(0, 2, 4)),
        new Parameter.Uniform("trainer.weightDecay", 0, 0.1)));
    assertEquals(9, space.gridSize());
    assertEquals(List.of("trainer.lr", "data.shots", "trainer.weightDecay"), space.keys());
    assertEquals(1, new SearchSpace(List.of()).gridSize());
  }
}
