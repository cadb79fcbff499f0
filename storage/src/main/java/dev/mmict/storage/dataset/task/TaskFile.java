package dev.mmict.storage.dataset.task;

import java.util.List;
import java.util.Map;

/**
 * The YAML of a task as written, before defaults and validation (every field nullable). Keys are
 * the snake_case forms of the component names; see storage/README.md for each one's meaning.
 */
record TaskFile(
    String description,
    TaskKind kind,
    TaskSource source,
    Long seed,
    Integer imageSize,
    Integer frames,
    SplitSizes splits,
    Map<String, List<Integer>> colours,
    List<String> shapes,
    List<String> classes,
    Map<String, List<Double>> sizes,
    List<String> positions,
    List<String> motions,
    Double motionStep,
    Double noise,
    List<Integer> background,
    List<String> prompts,
    List<String> targets,
    List<String> demos,
    List<Question> questions,
    Map<String, List<String>> synonyms,
    NamePools names,
    Ways ways,
    Integer shots,
    Double shareColour,
    Double queryRepeatsDemo,
    String fmnistDir) {

  /** Split sizes: samples for caption/vqa, dialogs for fastbinding. */
  record SplitSizes(Integer train, Integer val, Integer test) {}

  /** A question template and the attribute that answers it. */
  record Question(String question, String answer) {}

  /**
   * Nonsense-name pools: one for train, one (disjoint) for val and test; {@code generatedTrain}
   * more pronounceable names may be added to the train pool (never a name any built-in task lists),
   * spelled in {@code generatedStyle} ({@code simple}, the default, or {@code rich}).
   */
  record NamePools(List<String> train, List<String> eval, Integer generatedTrain, String generatedStyle) {}

  /** How many classes a fast-binding dialog names. */
  record Ways(Integer min, Integer max) {}
}
