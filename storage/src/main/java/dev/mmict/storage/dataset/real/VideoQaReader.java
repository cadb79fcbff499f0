package dev.mmict.storage.dataset.real;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads MSVD-QA and MSRVTT-QA: one sample per question in file order, F frames of its clip,
 * prompt the question, target and only answer the one-word answer.
 */
public final class VideoQaReader {

  private VideoQaReader() {}

  /**
   * The dataset {@code config} describes, named {@code name}.
   *
   * @param idPrefix the sample-id prefix, e.g. "msvd-qa"
   */
  public static RealDataset open(
      String name, String idPrefix, VideoQaConfig config, ReaderOptions options) {
    IndexBuilder index = new IndexBuilder(name, options);
    Problems problems = index.problems();
    // Clip folder → its sampled frames, or why it has none; listed once for all its questions.
    Map<String, Object> clips = new HashMap<>();
    for (Map.Entry<String, VideoQaConfig.Split> s : config.splits().entrySet()) {
      String split = s.getKey();
      index.split(split, s.getValue().slice());
      Path file = s.getValue().questions();
      String fileName = file.toString();
      JsonInput.array(file, "questions", el -> {
        String record = el.label();
        try {
          JsonNode node = el.node();
          String id = Fields.key(node, "id");
          String clip = node.hasNonNull("video")
              ? Fields.key(node, "video")
              : config.clipName().replace("{video_id}", Fields.key(node, "video_id"));
          record = el.label("id " + id + ", clip " + clip);
          String question = Fields.text(node, "question");
          String answer = Fields.text(node, "answer");
          Object frames = clips.computeIfAbsent(clip, c -> {
            try {
              return FrameFolders.sample(config.framesDir().resolve(c), config.frames());
            } catch (BadRecord b) {
              return b;
            }
          });
          if (frames instanceof BadRecord b) {
            throw b;
          }
          @SuppressWarnings("unchecked")
          List<Path> paths = (List<Path>) frames;
          index.add(split, new Entry(idPrefix + ":" + split + ":" + id, clip, fileName, record,
              paths, question, answer, List.of(answer)));
        } catch (BadRecord b) {
          problems.bad(b.problem(), fileName, record, b.detail());
        }
      });
    }
    return index.build(Texts.QA_PROMPT, Texts.QA_DEMO, true);
  }
}
