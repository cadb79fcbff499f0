package dev.mmict.storage.dataset.synth;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.Seeds;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Template;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A caption or vqa task: sample i of a split shows one random object (image or video) and is
 * rendered from (seed, split, i) alone. Ungrouped: every sample is queryable.
 */
public final class SceneDataset implements Dataset {

  /** VQA soft accuracy is computed over ten reference answers. */
  static final int VQA_REFERENCES = 10;

  private final TaskSpec spec;
  private final Renderer renderer;

  SceneDataset(TaskSpec spec, SpriteSource sprites) {
    if (spec.kind() == TaskKind.FASTBINDING) {
      throw new IllegalArgumentException("Task " + spec.name() + " is fastbinding: use FastBindingDataset");
    }
    this.spec = spec;
    this.renderer = new Renderer(spec, sprites);
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public List<String> splits() {
    return List.copyOf(spec.splitSizes().keySet());
  }

  @Override
  public int size(String split) {
    return spec.splitSize(split);
  }

  @Override
  public boolean isQueryable(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return true;
  }

  @Override
  public String id(String split, int index) {
    Dataset.checkIndex(this, split, index);
    return spec.name() + "/" + split + "/" + index;
  }

  @Override
  public Sample get(String split, int index) {
    Dataset.checkIndex(this, split, index);
    SplittableRandom random = Seeds.random(spec.seed(), Seeds.of(split), index);
    Item item = renderer.randomItem(random);
    List<Frame> frames = renderer.render(item, split, random);
    Map<String, String> attributes = item.attributes();
    String id = id(split, index);
    return spec.kind() == TaskKind.CAPTION
        ? caption(id, frames, attributes, random)
        : vqa(id, frames, attributes, random);
  }

  private Sample caption(
      String id, List<Frame> frames, Map<String, String> attributes, SplittableRandom random) {
    LinkedHashSet<String> references = new LinkedHashSet<>();
    for (String t : spec.targets()) {
      references.add(Template.render(t, attributes, Map.of()));
    }
    String target = Template.render(pick(spec.targets(), random), attributes, Map.of());
    String prompt = Template.render(pick(spec.prompts(), random), attributes, Map.of());
    String text = Template.render(pick(spec.demos(), random), attributes,
        Map.of("target", target, "prompt", prompt));
    return new Sample(id, null, true, frames, text, prompt, target, List.copyOf(references));
  }

  private Sample vqa(
      String id, List<Frame> frames, Map<String, String> attributes, SplittableRandom random) {
    TaskSpec.Question q = spec.questions().get(random.nextInt(spec.questions().size()));
    String question = Template.render(q.question(), attributes, Map.of());
    String answer = attributes.get(q.answer());
    String prompt = Template.render(pick(spec.prompts(), random), attributes,
        Map.of("question", question));
    String text = Template.render(pick(spec.demos(), random), attributes,
        Map.of("question", question, "answer", answer, "prompt", prompt, "target", answer));
    return new Sample(id, null, true, frames, text, prompt, answer, references(answer));
  }

  /**
   * Ten references: each synonym (at most two) three times, the canonical answer the rest, so
   * soft accuracy min(matches / 3, 1) gives full credit to a synonym too.
   */
  private List<String> references(String answer) {
    List<String> synonyms = spec.synonyms().getOrDefault(answer, List.of());
    List<String> out = new ArrayList<>(VQA_REFERENCES);
    for (String s : synonyms.subList(0, Math.min(2, synonyms.size()))) {
      out.addAll(Collections.nCopies(3, s));
    }
    out.addAll(0, Collections.nCopies(VQA_REFERENCES - out.size(), answer));
    return out;
  }

  private static String pick(List<String> options, SplittableRandom random) {
    return options.get(random.nextInt(options.size()));
  }
}
