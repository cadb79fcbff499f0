package dev.mmict.storage.dataset.real;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads MSVD captioning from a {@code {clip_id: [captions]}} map: clips sorted in natural id
 * order, split by position ranges (positions count every clip of the file, bad ones included,
 * so one bad clip does not shift the split of the others), F frames per clip.
 */
public final class MsvdReader {

  private static final Logger LOG = LoggerFactory.getLogger(MsvdReader.class);

  private MsvdReader() {}

  /** The dataset {@code config} describes, named {@code name}. */
  public static RealDataset open(String name, MsvdConfig config, ReaderOptions options) {
    IndexBuilder index = new IndexBuilder(name, options);
    Problems problems = index.problems();
    String fileName = config.captions().toString();
    List<JsonInput.Element> clips = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    JsonInput.objectEntries(config.captions(), "captions", el -> {
      if (keys.add(el.key())) {
        clips.add(el);
      } else {
        problems.bad(Problem.DUPLICATE_ID, fileName, el.label(),
            "clip id '" + el.key() + "' appears twice");
      }
    });
    clips.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.key(), b.key()));
    for (Map.Entry<String, MsvdConfig.Range> r : config.ranges().entrySet()) {
      String split = r.getKey();
      index.split(split, null);
      int first = Math.min(r.getValue().first(), clips.size());
      int end = Math.min(r.getValue().end(), clips.size());
      if (end < r.getValue().end()) {
        LOG.warn("{}: split {} asks for clips [{}, {}) but the file has {} clips", name, split,
            r.getValue().first(), r.getValue().end(), clips.size());
      }
      for (JsonInput.Element el : clips.subList(first, end)) {
        try {
          JsonNode list = el.node();
          if (!list.isArray()) {
            throw new BadRecord(Problem.BAD_FIELD, "expected a list of captions, got " + list);
          }
          List<String> captions = new ArrayList<>(list.size());
          for (int j = 0; j < list.size(); j++) {
            try {
              captions.add(Fields.text(list.get(j), "[" + j + "]", "caption"));
            } catch (BadRecord b) {
              problems.bad(b.problem(), fileName, el.label() + "[" + j + "]", b.detail());
            }
          }
          if (captions.isEmpty()) {
            throw new BadRecord(Problem.NO_CAPTIONS, "the clip has no caption");
          }
          List<Path> frames = FrameFolders.sample(config.framesDir().resolve(el.key()),
              config.frames());
          index.add(split, new Entry("msvd:" + el.key(), el.key(), fileName, el.label(), frames,
              null, captions.get(0), List.copyOf(captions)));
        } catch (BadRecord b) {
          problems.bad(b.problem(), fileName, el.label(), b.detail());
        }
      }
    }
    return index.build(Texts.VIDEO_CAPTION_PROMPT, Texts.CAPTION_DEMO, false);
  }
}
