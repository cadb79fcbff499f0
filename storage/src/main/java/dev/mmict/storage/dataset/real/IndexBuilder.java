package dev.mmict.storage.dataset.real;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.image.ImageDecodeException;
import dev.mmict.storage.dataset.image.ImageDecoder;
import dev.mmict.storage.dataset.image.ImagePipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects a reader's entries per split and finishes the index the same way for every reader:
 * slices, drops ids seen before, checks picture files (in parallel, in order, stopping at the
 * split's limit), logs the skip summary and builds the {@link RealDataset}.
 */
final class IndexBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(IndexBuilder.class);
  private static final List<String> ORDER = List.of(Dataset.TRAIN, Dataset.VAL, Dataset.TEST);
  private static final int CHUNK = 256;

  private final String name;
  private final ReaderOptions options;
  private final Problems problems;
  private final Map<String, List<Entry>> splits = new HashMap<>();
  private final Map<String, Slice> slices = new HashMap<>();

  IndexBuilder(String name, ReaderOptions options) {
    this.name = name;
    this.options = options;
    this.problems = new Problems(options.policy());
  }

  /** The policy-applying problem sink the reader reports bad records to. */
  Problems problems() {
    return problems;
  }

  /** Declares {@code split} (so it exists even if every record is dropped). */
  void split(String split, Slice slice) {
    if (!ORDER.contains(split)) {
      throw new IllegalArgumentException("Unknown split '" + split + "'; expected one of " + ORDER);
    }
    splits.computeIfAbsent(split, s -> new ArrayList<>());
    slices.put(split, slice == null ? Slice.ALL : slice);
  }

  void add(String split, Entry entry) {
    List<Entry> list = splits.get(split);
    if (list == null) {
      throw new IllegalStateException("split " + split + " was not declared");
    }
    list.add(entry);
  }

  RealDataset build(String defaultPrompt, String defaultDemo, boolean qa) {
    if (splits.isEmpty()) {
      throw new IllegalArgumentException(name + ": no split configured");
    }
    String prompt = options.prompt() == null ? defaultPrompt : options.prompt();
    String demo = options.demo() == null ? defaultDemo : options.demo();
    String templates = Texts.problem(prompt, demo, qa);
    if (templates != null) {
      throw new IllegalArgumentException(name + ": " + templates);
    }
    Map<String, List<Entry>> done = new LinkedHashMap<>();
    Set<String> ids = new HashSet<>();
    for (String split : ORDER) {
      List<Entry> list = splits.get(split);
      if (list == null) {
        continue;
      }
      List<Entry> sliced = slice(list, slices.get(split));
      List<Entry> unique = new ArrayList<>(sliced.size());
      for (Entry e : sliced) {
        if (ids.add(e.id())) {
          unique.add(e);
        } else {
          problems.bad(Problem.DUPLICATE_ID, e.file(), e.record(),
              "sample id " + e.id() + " is already in this or an earlier split");
        }
      }
      int limit = options.limits().getOrDefault(split, Integer.MAX_VALUE);
      done.put(split, checked(unique, limit));
    }
    SkipReport report = problems.report();
    if (!report.isEmpty()) {
      LOG.warn("{}: {}", name, report.summary());
    }
    Map<String, Integer> sizes = new LinkedHashMap<>();
    done.forEach((split, list) -> sizes.put(split, list.size()));
    LOG.info("{}: opened, samples per split {}", name, sizes);
    ImagePipeline pipeline = new ImagePipeline(options.imageSize(), options.augmentation());
    return new RealDataset(name, done, pipeline, options.seed(), prompt, demo, report);
  }

  private static List<Entry> slice(List<Entry> list, Slice slice) {
    if (slice.equals(Slice.ALL)) {
      return list;
    }
    Set<String> keys = new LinkedHashSet<>();
    for (Entry e : list) {
      keys.add(e.mediaKey());
    }
    List<String> ordered = new ArrayList<>(keys);
    Set<String> kept = new HashSet<>(
        ordered.subList(slice.first(ordered.size()), slice.end(ordered.size())));
    List<Entry> out = new ArrayList<>();
    for (Entry e : list) {
      if (kept.contains(e.mediaKey())) {
        out.add(e);
      }
    }
    return out;
  }

  /** The first {@code limit} entries whose pictures pass the check. */
  private List<Entry> checked(List<Entry> list, int limit) {
    List<Entry> kept = new ArrayList<>(Math.min(list.size(), limit));
    int start = 0;
    while (start < list.size() && kept.size() < limit) {
      int end = Math.min(list.size(), start + Math.max(1, Math.min(CHUNK, limit - kept.size())));
      List<Entry> chunk = list.subList(start, end);
      BadRecord[] failures = new BadRecord[chunk.size()];
      IntStream.range(0, chunk.size()).parallel()
          .forEach(k -> failures[k] = check(chunk.get(k)));
      for (int k = 0; k < chunk.size() && kept.size() < limit; k++) {
        Entry e = chunk.get(k);
        if (failures[k] == null) {
          kept.add(e);
        } else {
          problems.bad(failures[k].problem(), e.file(), e.record(), failures[k].detail());
        }
      }
      start = end;
    }
    return kept;
  }

  /** The problem with {@code e}'s pictures, or null. */
  private BadRecord check(Entry e) {
    for (Path file : e.media()) {
      if (!Files.isRegularFile(file)) {
        return new BadRecord(Problem.MISSING_MEDIA, "picture file " + file + " does not exist");
      }
      try {
        switch (options.imageCheck()) {
          case EXISTS -> { }
          case HEADER -> ImageDecoder.readSize(file);
          case DECODE -> ImageDecoder.decode(file);
          default -> throw new IllegalStateException("unhandled " + options.imageCheck());
        }
      } catch (ImageDecodeException ex) {
        return new BadRecord(Problem.UNDECODABLE_MEDIA, ex.getMessage());
      }
    }
    return null;
  }
}
