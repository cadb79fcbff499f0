package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads MSR-VTT captioning: one sample per video (in {@code videos[]} order), F frames sampled
 * evenly from its frame folder, target its first caption, answers all its captions.
 */
public final class MsrvttReader {

  private static final Logger LOG = LoggerFactory.getLogger(MsrvttReader.class);

  private MsrvttReader() {}

  /** A video of {@code videos[]} and its captions so far. */
  private record Video(String id, String split, String file, String record,
      List<String> captions) {}

  /** A sentence before it is matched with its video. */
  private record Caption(String videoId, String file, String record, String text) {}

  /** The dataset {@code config} describes, named {@code name}. */
  public static RealDataset open(String name, MsrvttConfig config, ReaderOptions options) {
    IndexBuilder index = new IndexBuilder(name, options);
    Map<String, String> target = new HashMap<>();
    for (Map.Entry<String, List<String>> e : config.splitMap().entrySet()) {
      index.split(e.getKey(), null);
      for (String value : e.getValue()) {
        String before = target.put(value, e.getKey());
        if (before != null) {
          throw new IllegalArgumentException(name + ": split value '" + value
              + "' is mapped to both " + before + " and " + e.getKey());
        }
      }
    }
    Problems problems = index.problems();
    Map<String, Video> videos = new LinkedHashMap<>();
    List<Caption> captions = new ArrayList<>();
    for (Path file : config.annotations()) {
      String fileName = file.toString();
      JsonInput.objectArrays(file, Map.of(
          "videos", el -> {
            String record = el.label();
            try {
              String id = Fields.key(el.node(), "video_id");
              record = el.label("video_id " + id);
              String split = Fields.text(el.node(), "split");
              if (videos.containsKey(id)) {
                throw new BadRecord(Problem.DUPLICATE_ID, "video_id " + id + " also at "
                    + videos.get(id).file() + ": " + videos.get(id).record());
              }
              videos.put(id, new Video(id, split, fileName, record, new ArrayList<>(20)));
            } catch (BadRecord b) {
              problems.bad(b.problem(), fileName, record, b.detail());
            }
          },
          "sentences", el -> {
            String record = el.label();
            try {
              String id = Fields.key(el.node(), "video_id");
              record = el.label("video_id " + id);
              captions.add(new Caption(id, fileName, record, Fields.text(el.node(), "caption")));
            } catch (BadRecord b) {
              problems.bad(b.problem(), fileName, record, b.detail());
            }
          }), (k, v) -> { });
    }
    for (Caption c : captions) {
      Video v = videos.get(c.videoId());
      if (v == null) {
        problems.bad(Problem.DANGLING_REFERENCE, c.file(), c.record(),
            "video_id " + c.videoId() + " is not in videos[]");
      } else {
        v.captions().add(c.text());
      }
    }
    Map<String, Integer> unused = new TreeMap<>();
    for (Video v : videos.values()) {
      String split = target.get(v.split());
      if (split == null) {
        unused.merge(v.split(), 1, Integer::sum);
        continue;
      }
      try {
        if (v.captions().isEmpty()) {
          throw new BadRecord(Problem.NO_CAPTIONS, "the video has no caption");
        }
        List<Path> frames = FrameFolders.sample(config.framesDir().resolve(v.id()),
            config.frames());
        index.add(split, new Entry("msrvtt:" + v.id(), v.id(), v.file(), v.record(), frames,
            null, v.captions().get(0), List.copyOf(v.captions())));
      } catch (BadRecord b) {
        problems.bad(b.problem(), v.file(), v.record(), b.detail());
      }
    }
    if (!unused.isEmpty()) {
      LOG.info("{}: videos of unmapped split values left out: {}", name, unused);
    }
    return index.build(Texts.VIDEO_CAPTION_PROMPT, Texts.CAPTION_DEMO, false);
  }
}
