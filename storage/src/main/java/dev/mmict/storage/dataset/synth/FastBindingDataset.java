package dev.mmict.storage.dataset.synth;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.Seeds;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Template;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Open-ended fast concept binding (Tsimpoukelli et al., "Multimodal Few-Shot Learning with Frozen
 * Language Models", NeurIPS 2021): a split is a sequence of dialogs; in each, N classes (N from
 * the task's ways) get nonsense names drawn for that dialog from the split's name pool, each is
 * shown {@code shots} times as a demonstration ("this is a dax."), and one query shows a fresh
 * instance of one of them and asks for its name. Only a model that reads the demonstrations can
 * answer.
 *
 * <p>Layout: dialog d occupies the indices [start(d), start(d) + N·shots] of its split: first the
 * N·shots demonstrations (queryable = false) in a shuffled order, then the query (queryable =
 * true). Every sample's group is its dialog's id. A dialog's header (N, classes, names, colours,
 * order) comes from (seed, split, d), each sample's picture from (seed, split, d, position), so
 * any sample is rendered without its neighbours; only the dialog start offsets (one int per
 * dialog) are kept in memory. With probability {@code share_colour} all objects of a dialog have
 * one colour, so that only their shape tells them apart.
 */
public final class FastBindingDataset implements Dataset {

  private static final long HEADER = 0x48EADL;
  private static final long SAMPLE = 0x5A3913L;

  private final TaskSpec spec;
  private final Renderer renderer;
  private final Map<String, int[]> starts = new LinkedHashMap<>();

  FastBindingDataset(TaskSpec spec, SpriteSource sprites) {
    if (spec.kind() != TaskKind.FASTBINDING) {
      throw new IllegalArgumentException("Task " + spec.name() + " is not fastbinding");
    }
    this.spec = spec;
    this.renderer = new Renderer(spec, sprites);
    for (String split : spec.splitSizes().keySet()) {
      int dialogs = spec.splitSize(split);
      int[] start = new int[dialogs + 1];
      for (int d = 0; d < dialogs; d++) {
        long size = (long) start[d] + header(split, d).size();
        if (size > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "Task " + spec.name() + ": split " + split + " has too many samples");
        }
        start[d + 1] = (int) size;
      }
      starts.put(split, start);
    }
  }

  /**
   * One dialog's plan.
   *
   * @param ways N, the number of named classes
   * @param classes the N class indices (distinct)
   * @param names the N nonsense names (distinct), names[k] for classes[k]
   * @param colours the N colour words (null when uncoloured)
   * @param sharedColour whether all N objects have one colour
   * @param order the class slot k (0..N−1) of each demonstration position
   * @param querySlot the class slot the query shows
   */
  public record Header(
      int ways,
      int[] classes,
      String[] names,
      String[] colours,
      boolean sharedColour,
      int[] order,
      int querySlot) {

    /** Samples in the dialog: N·shots demonstrations and one query. */
    public int size() {
      return order.length + 1;
    }

    /** The name the query must answer. */
    public String queryName() {
      return names[querySlot];
    }
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public List<String> splits() {
    return List.copyOf(starts.keySet());
  }

  @Override
  public int size(String split) {
    int[] start = startsOf(split);
    return start[start.length - 1];
  }

  /** The number of dialogs in {@code split}. */
  public int dialogCount(String split) {
    return startsOf(split).length - 1;
  }

  /** The dialog that sample {@code index} of {@code split} belongs to. */
  public int dialogOf(String split, int index) {
    Dataset.checkIndex(this, split, index);
    int[] start = startsOf(split);
    int pos = Arrays.binarySearch(start, index);
    // An exact hit is the dialog's first sample; otherwise the insertion point follows it.
    return pos >= 0 ? pos : -pos - 2;
  }

  /** The group id of dialog {@code dialog} ("train/d17"). */
  public static String groupId(String split, int dialog) {
    return split + "/d" + dialog;
  }

  /** The plan of dialog {@code dialog} of {@code split}. */
  public Header header(String split, int dialog) {
    SplittableRandom random = Seeds.random(spec.seed(), Seeds.of(split), dialog, HEADER);
    int ways = spec.minWays() + random.nextInt(spec.maxWays() - spec.minWays() + 1);
    int[] classes = sampleDistinct(spec.classWords().size(), ways, random);
    List<String> pool = spec.namePool(split);
    int[] nameIdx = sampleDistinct(pool.size(), ways, random);
    String[] names = new String[ways];
    for (int k = 0; k < ways; k++) {
      names[k] = pool.get(nameIdx[k]);
    }
    boolean shared = random.nextDouble() < spec.shareColour();
    String[] colours = new String[ways];
    String common = renderer.randomColour(random);
    for (int k = 0; k < ways; k++) {
      colours[k] = shared ? common : renderer.randomColour(random);
    }
    int[] order = new int[ways * spec.shots()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i % ways;
    }
    shuffle(order, random);
    int querySlot = random.nextInt(ways);
    return new Header(ways, classes, names, colours, shared, order, querySlot);
  }

  /** All samples of dialog {@code dialog}, demonstrations first, the query last. */
  public List<Sample> dialog(String split, int dialog) {
    int[] start = startsOf(split);
    List<Sample> out = new ArrayList<>();
    for (int i = start[dialog]; i < start[dialog + 1]; i++) {
      out.add(get(split, i));
    }
    return out;
  }

  @Override
  public boolean isQueryable(String split, int index) {
    int d = dialogOf(split, index);
    return index == startsOf(split)[d + 1] - 1;
  }

  @Override
  public int[] groupIndices(String split, int index) {
    int d = dialogOf(split, index);
    int[] start = startsOf(split);
    int[] out = new int[start[d + 1] - start[d]];
    for (int i = 0; i < out.length; i++) {
      out[i] = start[d] + i;
    }
    return out;
  }

  @Override
  public String id(String split, int index) {
    int d = dialogOf(split, index);
    return spec.name() + "/" + split + "/d" + d + "/" + (index - startsOf(split)[d]);
  }

  private static final long REPEAT = 0x4E9E_A7L;

  @Override
  public Sample get(String split, int index) {
    int d = dialogOf(split, index);
    int position = index - startsOf(split)[d];
    Header h = header(split, d);
    boolean query = position == h.order().length;
    int slot = query ? h.querySlot() : h.order()[position];
    int rendering = position;
    if (query && spec.queryRepeatsDemo() > 0
        && Seeds.random(spec.seed(), Seeds.of(split), d, REPEAT).nextDouble() < spec.queryRepeatsDemo()) {
      for (int k = 0; k < h.order().length; k++) {
        if (h.order()[k] == slot) {
          rendering = k; // the same picture as this demonstration: the first of its class
          break;
        }
      }
    }
    SplittableRandom random = Seeds.random(spec.seed(), Seeds.of(split), d, rendering, SAMPLE);
    Item item = renderer.item(h.classes()[slot], h.colours()[slot], random);
    List<Frame> frames = renderer.render(item, split, random);
    Map<String, String> attributes = item.attributes();
    String name = h.names()[slot];
    String prompt = Template.render(pick(spec.prompts(), random), attributes, Map.of());
    Map<String, String> verbatim = new HashMap<>();
    verbatim.put("name", name);
    verbatim.put("target", name);
    verbatim.put("prompt", prompt);
    String text = Template.render(pick(spec.demos(), random), attributes, verbatim);
    String id = id(split, index);
    return new Sample(id, groupId(split, d), query, frames, text, prompt, name, List.of(name));
  }

  private int[] startsOf(String split) {
    int[] start = starts.get(split);
    if (start == null) {
      throw new IllegalArgumentException(
          "Task " + spec.name() + " has no split '" + split + "'; splits: " + starts.keySet());
    }
    return start;
  }

  /** {@code k} distinct values from [0, n), in random order (partial Fisher–Yates). */
  private static int[] sampleDistinct(int n, int k, SplittableRandom random) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return Arrays.copyOf(all, k);
  }

  private static void shuffle(int[] values, SplittableRandom random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }

  private static String pick(List<String> options, SplittableRandom random) {
    return options.get(random.nextInt(options.size()));
  }
}
