package dev.mmict.storage.dataset.real;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads COCO captions in the official format: one sample per image (in {@code images[]} order),
 * target its first caption (in {@code annotations[]} order), answers all its captions.
 */
public final class CocoCaptionsReader {

  private CocoCaptionsReader() {}

  /** The dataset {@code config} describes, named {@code name}. */
  public static RealDataset open(String name, CocoCaptionsConfig config, ReaderOptions options) {
    IndexBuilder index = new IndexBuilder(name, options);
    for (Map.Entry<String, CocoCaptionsConfig.Split> s : config.splits().entrySet()) {
      index.split(s.getKey(), s.getValue().slice());
      for (Entry e : read(s.getValue(), index.problems())) {
        index.add(s.getKey(), e);
      }
    }
    return index.build(Texts.IMAGE_CAPTION_PROMPT, Texts.CAPTION_DEMO, false);
  }

  /** An image of {@code images[]}: its file and its captions so far. */
  private record Image(long id, String record, Path file, List<String> captions) {}

  /** A caption of {@code annotations[]} before it is matched with its image. */
  private record Caption(long imageId, String record, String text) {}

  private static List<Entry> read(CocoCaptionsConfig.Split split, Problems problems) {
    Path file = split.annotations();
    String fileName = file.toString();
    Map<Long, Image> images = new LinkedHashMap<>();
    List<Caption> captions = new ArrayList<>();
    Map<String, Consumer<JsonInput.Element>> arrays = new HashMap<>();
    arrays.put("images", el -> {
      String record = el.label();
      try {
        long id = Fields.integer(el.node(), "id");
        record = el.label("id " + id);
        String fileNameField = Fields.text(el.node(), "file_name");
        if (images.containsKey(id)) {
          throw new BadRecord(Problem.DUPLICATE_ID,
              "image id " + id + " also at " + images.get(id).record());
        }
        images.put(id, new Image(id, record, split.images().resolve(fileNameField),
            new ArrayList<>(5)));
      } catch (BadRecord b) {
        problems.bad(b.problem(), fileName, record, b.detail());
      }
    });
    arrays.put("annotations", el -> {
      String record = el.label();
      try {
        long imageId = Fields.integer(el.node(), "image_id");
        record = el.label("image_id " + imageId);
        captions.add(new Caption(imageId, record, Fields.text(el.node(), "caption")));
      } catch (BadRecord b) {
        problems.bad(b.problem(), fileName, record, b.detail());
      }
    });
    JsonInput.objectArrays(file, arrays, (k, v) -> { });
    for (Caption c : captions) {
      Image image = images.get(c.imageId());
      if (image == null) {
        // Under skip, the image may be missing because its own record was bad.
        problems.bad(Problem.DANGLING_REFERENCE, fileName, c.record(),
            "image_id " + c.imageId() + " is not in images[]");
      } else {
        image.captions().add(c.text());
      }
    }
    List<Entry> out = new ArrayList<>(images.size());
    for (Image image : images.values()) {
      if (image.captions().isEmpty()) {
        problems.bad(Problem.NO_CAPTIONS, fileName, image.record(), "the image has no caption");
        continue;
      }
      out.add(new Entry("coco:" + image.id(), Long.toString(image.id()), fileName, image.record(),
          List.of(image.file()), null, image.captions().get(0), List.copyOf(image.captions())));
    }
    return out;
  }
}
