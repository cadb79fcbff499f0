package dev.mmict.storage.dataset.real;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Karpathy split of COCO (or Flickr): one sample per image in file order, target its
 * first sentence, answers all its sentences; each image goes to the dataset split its {@code
 * split} value is mapped to.
 */
public final class KarpathyReader {

  private static final Logger LOG = LoggerFactory.getLogger(KarpathyReader.class);

  private KarpathyReader() {}

  /** The dataset {@code config} describes, named {@code name}. */
  public static RealDataset open(String name, KarpathyConfig config, ReaderOptions options) {
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
    String fileName = config.annotations().toString();
    Map<String, Integer> unused = new TreeMap<>();
    JsonInput.objectArrays(config.annotations(), Map.of("images", el -> {
      String record = el.label();
      try {
        JsonNode node = el.node();
        Fields.object(node);
        String idField = node.has("cocoid") ? "cocoid" : "imgid";
        long id = Fields.integer(node, idField);
        record = el.label(idField + " " + id);
        String splitValue = Fields.text(node, "split");
        String split = target.get(splitValue);
        if (split == null) {
          unused.merge(splitValue, 1, Integer::sum);
          return;
        }
        String fileField = Fields.text(node, "filename");
        Path image = node.hasNonNull("filepath")
            ? config.images().resolve(Fields.text(node, "filepath")).resolve(fileField)
            : config.images().resolve(fileField);
        JsonNode sentences = Fields.array(node, "sentences");
        List<String> captions = new ArrayList<>(sentences.size());
        for (int j = 0; j < sentences.size(); j++) {
          try {
            captions.add(Fields.text(sentences.get(j), "raw"));
          } catch (BadRecord b) {
            // One bad sentence drops that sentence, not the image.
            problems.bad(b.problem(), fileName, record + " sentences[" + j + "]", b.detail());
          }
        }
        if (captions.isEmpty()) {
          throw new BadRecord(Problem.NO_CAPTIONS, "the image has no caption");
        }
        index.add(split, new Entry("karpathy:" + id, Long.toString(id), fileName, record,
            List.of(image), null, captions.get(0), List.copyOf(captions)));
      } catch (BadRecord b) {
        problems.bad(b.problem(), fileName, record, b.detail());
      }
    }), (k, v) -> { });
    if (!unused.isEmpty()) {
      LOG.info("{}: images of unmapped split values left out: {}", name, unused);
    }
    return index.build(Texts.IMAGE_CAPTION_PROMPT, Texts.CAPTION_DEMO, false);
  }
}
