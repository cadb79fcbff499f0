package dev.mmict.storage.dataset.real;

import static dev.mmict.storage.dataset.real.Fixtures.failsWith;
import static dev.mmict.storage.dataset.real.Fixtures.skips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KarpathyReaderTest {

  @TempDir Path dir;

  static final ReaderOptions OPTIONS = ReaderOptions.of(8);

  /** One images[] entry of dataset_coco.json, on one line. */
  static String image(int imgid, long cocoid, String filepath, String split, String... raws) {
    String name = String.format("COCO_%s_%012d.jpg", filepath, cocoid);
    List<String> sentences = new ArrayList<>();
    for (int j = 0; j < raws.length; j++) {
      sentences.add("{\"tokens\": [\"x\"], \"raw\": \"" + raws[j] + "\", \"imgid\": " + imgid
          + ", \"sentid\": " + (imgid * 10 + j) + "}");
    }
    return "    {\"filepath\": \"" + filepath + "\", \"sentids\": [], \"filename\": \"" + name
        + "\", \"imgid\": " + imgid + ", \"split\": \"" + split + "\", \"sentences\": ["
        + String.join(", ", sentences) + "], \"cocoid\": " + cocoid + "}";
  }

  void write(List<String> images) {
    Fixtures.text(dir.resolve("dataset_coco.json"),
        "{\n  \"images\": [\n" + String.join(",\n", images) + "\n  ],\n  \"dataset\": \"coco\"\n}");
    for (long id : new long[] {9, 25, 42, 73, 74}) {
      String sub = id < 40 ? "train2014" : "val2014";
      Fixtures.grey(dir.resolve(String.format("coco/%s/COCO_%s_%012d.jpg", sub, sub, id)),
          12, 9, (int) id);
    }
  }

  static List<String> images() {
    return new ArrayList<>(List.of(
        image(0, 42, "val2014", "test", "A man riding a horse.", "A rider."),
        image(1, 9, "train2014", "train", "A plate of food."),
        image(2, 73, "val2014", "restval", "A dog on a couch."),
        image(3, 74, "val2014", "val", "A kite in the sky."),
        image(4, 25, "train2014", "train", "A giraffe.", "A tall giraffe.")));
  }

  Function<ReaderOptions, RealDataset> reader(Map<String, List<String>> splitMap) {
    return o -> KarpathyReader.open("karpathy", new KarpathyConfig(
        dir.resolve("dataset_coco.json"), dir.resolve("coco"), splitMap), o);
  }

  @Test
  void splitsFollowTheMapRestvalJoiningTrain() {
    write(images());
    RealDataset ds = reader(KarpathyConfig.STANDARD_SPLITS).apply(OPTIONS);
    assertEquals(List.of("karpathy:9", "karpathy:73", "karpathy:25"),
        List.of(ds.id("train", 0), ds.id("train", 1), ds.id("train", 2)));
    assertEquals(1, ds.size("val"));
    assertEquals(1, ds.size("test"));
    Sample test = ds.get("test", 0);
    assertEquals("karpathy:42", test.id());
    assertEquals("A man riding a horse.", test.target());
    assertEquals(List.of("A man riding a horse.", "A rider."), test.answers());
    assertEquals(42 / 255f, test.frames().get(0).at(0, 4, 4), 0.02);
    // A custom map: restval left out (logged), val and test only.
    RealDataset small = reader(Map.of("val", List.of("val"), "test", List.of("test")))
        .apply(OPTIONS);
    assertEquals(List.of("val", "test"), small.splits());
    assertThrows(IllegalArgumentException.class, () -> small.size("train"));
  }

  @Test
  void emptySentenceDropsOnlyThatSentence() {
    List<String> images = images();
    images.set(4, image(4, 25, "train2014", "train", "", "A tall giraffe."));
    write(images);
    failsWith(reader(KarpathyConfig.STANDARD_SPLITS), OPTIONS, Problem.EMPTY_TEXT,
        "dataset_coco.json", "images[4] (line 7, cocoid 25) sentences[0]", "empty raw");
    RealDataset ds = skips(reader(KarpathyConfig.STANDARD_SPLITS), OPTIONS, Problem.EMPTY_TEXT,
        1);
    assertEquals(List.of("A tall giraffe."), ds.get("train", 2).answers());
  }

  @Test
  void imageWithoutSentencesOrWithBadFields() {
    List<String> images = images();
    images.set(1, image(1, 9, "train2014", "train"));
    write(images);
    failsWith(reader(KarpathyConfig.STANDARD_SPLITS), OPTIONS, Problem.NO_CAPTIONS,
        "images[1]", "cocoid 9");
    assertEquals(2, skips(reader(KarpathyConfig.STANDARD_SPLITS), OPTIONS, Problem.NO_CAPTIONS,
        1).size("train"));

    images = images();
    images.set(3, images.get(3).replace("\"split\": \"val\", ", ""));
    write(images);
    failsWith(reader(KarpathyConfig.STANDARD_SPLITS), OPTIONS, Problem.BAD_FIELD,
        "images[3]", "missing field 'split'");
    assertEquals(0, skips(reader(KarpathyConfig.STANDARD_SPLITS), OPTIONS, Problem.BAD_FIELD, 1)
        .size("val"));
  }

  @Test
  void missingPictureAndDuplicateId() {
    List<String> images = images();
    images.add(image(5, 999, "val2014", "val", "Nothing."));
    images.add(image(6, 9, "train2014", "test", "Again."));
    write(images);
    DatasetFormatException e = failsWith(reader(KarpathyConfig.STANDARD_SPLITS), OPTIONS,
        Problem.MISSING_MEDIA, "images[5]", "cocoid 999");
    assertTrue(e.getMessage().contains("COCO_val2014_000000000999.jpg does not exist"));
    RealDataset ds = reader(KarpathyConfig.STANDARD_SPLITS)
        .apply(OPTIONS.withPolicy(BadInputPolicy.SKIP));
    assertEquals(Map.of(Problem.MISSING_MEDIA, 1, Problem.DUPLICATE_ID, 1),
        ds.skipReport().countsByProblem());
    assertEquals(1, ds.size("val"));
    assertEquals(1, ds.size("test"));
    assertTrue(ds.skipReport().of(Problem.DUPLICATE_ID).get(0).record().contains("images[6]"));
  }
}
