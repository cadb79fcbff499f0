package dev.mmict.storage.dataset.real;

import static dev.mmict.storage.dataset.real.Fixtures.failsWith;
import static dev.mmict.storage.dataset.real.Fixtures.fileError;
import static dev.mmict.storage.dataset.real.Fixtures.skips;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoCaptionsReaderTest {

  @TempDir Path dir;

  static final ReaderOptions OPTIONS = ReaderOptions.of(16);

  /** One images[] line in the official layout. */
  static String image(String subtype, long id, int w, int h) {
    String name = String.format("COCO_%s_%012d.jpg", subtype, id);
    return "    {\"license\": 3, \"file_name\": \"" + name + "\", \"coco_url\": "
        + "\"http://images.cocodataset.org/" + subtype + "/" + name + "\", \"height\": " + h
        + ", \"width\": " + w + ", \"date_captured\": \"2013-11-14 16:28:13\", \"flickr_url\":"
        + " \"http://farm1.staticflickr.com/1/1.jpg\", \"id\": " + id + "}";
  }

  /** One annotations[] line. */
  static String caption(long imageId, long id, String text) {
    return "    {\"image_id\": " + imageId + ", \"id\": " + id + ", \"caption\": \"" + text + "\"}";
  }

  /** A captions file: images first (as the official files), or annotations first. */
  static String captionsJson(List<String> images, List<String> annotations, boolean imagesFirst) {
    String imgs = "  \"images\": [\n" + String.join(",\n", images) + "\n  ]";
    String anns = "  \"annotations\": [\n" + String.join(",\n", annotations) + "\n  ]";
    return "{\n  \"info\": {\"description\": \"COCO 2014 Dataset\", \"version\": \"1.0\","
        + " \"year\": 2014},\n"
        + (imagesFirst ? imgs : anns) + ",\n"
        + "  \"licenses\": [{\"url\": \"http://creativecommons.org/licenses/by-nc-sa/2.0/\","
        + " \"id\": 1, \"name\": \"Attribution-NonCommercial-ShareAlike License\"}],\n"
        + (imagesFirst ? anns : imgs) + "\n}\n";
  }

  static List<String> trainImages() {
    return new ArrayList<>(List.of(image("train2014", 9, 24, 16), image("train2014", 25, 16, 24),
        image("train2014", 30, 20, 20)));
  }

  static List<String> trainCaptions() {
    return new ArrayList<>(List.of(
        caption(9, 48, "A plate of food with broccoli."),
        caption(25, 60, "A giraffe eating leaves."),
        caption(9, 67, "Food on a white plate."),
        caption(30, 71, "A vase of flowers."),
        caption(25, 88, "A tall giraffe next to a tree.")));
  }

  /** Writes train pictures (9 red, 25 green, 30 blue) and val pictures (4 greys). */
  Path writePictures() {
    Fixtures.picture(dir.resolve("train2014/COCO_train2014_000000000009.jpg"), 24, 16, 0xE01010);
    Fixtures.picture(dir.resolve("train2014/COCO_train2014_000000000025.jpg"), 16, 24, 0x10E010);
    Fixtures.picture(dir.resolve("train2014/COCO_train2014_000000000030.jpg"), 20, 20, 0x1010E0);
    for (long id : new long[] {42, 73, 74, 133}) {
      Fixtures.grey(dir.resolve(String.format("val2014/COCO_val2014_%012d.jpg", id)), 10, 10,
          (int) id);
    }
    return dir;
  }

  void writeTrain(List<String> images, List<String> captions) {
    Fixtures.text(dir.resolve("annotations/captions_train2014.json"),
        captionsJson(images, captions, true));
  }

  void writeVal() {
    List<String> images = new ArrayList<>();
    List<String> captions = new ArrayList<>();
    long id = 1000;
    for (long image : new long[] {42, 73, 74, 133}) {
      images.add(image("val2014", image, 10, 10));
      captions.add(caption(image, id++, "grey picture number " + image + "."));
    }
    // Annotations before images: the reader must not depend on the order of the arrays.
    Fixtures.text(dir.resolve("annotations/captions_val2014.json"),
        captionsJson(images, captions, false));
  }

  Function<ReaderOptions, RealDataset> coco(boolean withVal) {
    Map<String, CocoCaptionsConfig.Split> splits = new LinkedHashMap<>();
    splits.put("train", new CocoCaptionsConfig.Split(
        dir.resolve("annotations/captions_train2014.json"), dir.resolve("train2014"), null));
    if (withVal) {
      Path val = dir.resolve("annotations/captions_val2014.json");
      splits.put("val", new CocoCaptionsConfig.Split(val, dir.resolve("val2014"),
          new Slice(0, 0.5)));
      splits.put("test", new CocoCaptionsConfig.Split(val, dir.resolve("val2014"),
          new Slice(0.5, 1)));
    }
    return options -> CocoCaptionsReader.open("coco-test", new CocoCaptionsConfig(splits),
        options);
  }

  @Test
  void oneSamplePerImageWithAllItsCaptions() {
    writePictures();
    writeTrain(trainImages(), trainCaptions());
    writeVal();
    RealDataset ds = coco(true).apply(OPTIONS);
    assertEquals(List.of("train", "val", "test"), ds.splits());
    assertEquals(3, ds.size("train"));
    assertEquals(2, ds.size("val"));
    assertEquals(2, ds.size("test"));
    assertTrue(ds.skipReport().isEmpty());

    Sample s = ds.get("train", 0);
    assertEquals("coco:9", s.id());
    assertEquals("A plate of food with broccoli.", s.target());
    assertEquals(List.of("A plate of food with broccoli.", "Food on a white plate."),
        s.answers());
    assertEquals(s.target(), s.text());
    assertEquals(Texts.IMAGE_CAPTION_PROMPT, s.prompt());
    assertTrue(s.queryable());
    assertEquals(1, s.frames().size());
    assertEquals(16, s.frames().get(0).height());
    assertEquals(16, s.frames().get(0).width());
    assertEquals(0, Fixtures.dominant(s.frames().get(0)));
    assertEquals(1, Fixtures.dominant(ds.get("train", 1).frames().get(0)));
    assertEquals(List.of("A giraffe eating leaves.", "A tall giraffe next to a tree."),
        ds.get("train", 1).answers());
    assertEquals(2, Fixtures.dominant(ds.get("train", 2).frames().get(0)));
    assertEquals("coco:30", ds.id("train", 2));

    // The val file's four images: the first half is val, the second test.
    assertEquals(List.of("coco:42", "coco:73"), List.of(ds.id("val", 0), ds.id("val", 1)));
    assertEquals(List.of("coco:74", "coco:133"), List.of(ds.id("test", 0), ds.id("test", 1)));
    assertEquals(74 / 255f, ds.get("test", 0).frames().get(0).at(1, 8, 8), 0.02);
    assertEquals("grey picture number 133.", ds.get("test", 1).target());
    assertThrows(IllegalArgumentException.class, () -> ds.size("dev"));
    assertThrows(IndexOutOfBoundsException.class, () -> ds.get("val", 2));
  }

  @Test
  void limitsKeepTheFirstSamples() {
    writePictures();
    writeTrain(trainImages(), trainCaptions());
    RealDataset ds = coco(false).apply(OPTIONS.withLimits(Map.of("train", 2)));
    assertEquals(2, ds.size("train"));
    assertEquals("coco:25", ds.id("train", 1));
  }

  @Test
  void emptyCaption() {
    writePictures();
    List<String> captions = trainCaptions();
    captions.set(1, caption(25, 60, "  "));
    writeTrain(trainImages(), captions);
    // Lines 1-9: "{", info, "images": [, three images, "],", licenses, "annotations": [.
    failsWith(coco(false), OPTIONS, Problem.EMPTY_TEXT, "captions_train2014.json",
        "annotations[1] (line 11, image_id 25)", "empty caption");
    RealDataset ds = skips(coco(false), OPTIONS, Problem.EMPTY_TEXT, 1, "annotations[1]");
    assertEquals(3, ds.size("train"));
    assertEquals(List.of("A tall giraffe next to a tree."), ds.get("train", 1).answers());
  }

  @Test
  void imageWithoutCaptions() {
    writePictures();
    List<String> captions = trainCaptions();
    captions.remove(3);
    writeTrain(trainImages(), captions);
    failsWith(coco(false), OPTIONS, Problem.NO_CAPTIONS, "images[2]", "id 30", "no caption");
    assertEquals(2, skips(coco(false), OPTIONS, Problem.NO_CAPTIONS, 1).size("train"));
  }

  @Test
  void captionOfAnUnknownImage() {
    writePictures();
    List<String> captions = trainCaptions();
    captions.add(caption(999, 99, "A ghost."));
    writeTrain(trainImages(), captions);
    failsWith(coco(false), OPTIONS, Problem.DANGLING_REFERENCE, "annotations[5]",
        "image_id 999 is not in images[]");
    assertEquals(3, skips(coco(false), OPTIONS, Problem.DANGLING_REFERENCE, 1).size("train"));
  }

  @Test
  void duplicateImageIdAndWrongFieldType() {
    writePictures();
    List<String> images = trainImages();
    images.add(image("train2014", 9, 24, 16));
    writeTrain(images, trainCaptions());
    failsWith(coco(false), OPTIONS, Problem.DUPLICATE_ID, "images[3]", "image id 9 also at");
    assertEquals(3, skips(coco(false), OPTIONS, Problem.DUPLICATE_ID, 1).size("train"));

    List<String> captions = trainCaptions();
    captions.set(0, "    {\"image_id\": \"9\", \"id\": 48, \"caption\": \"A plate.\"}");
    writeTrain(trainImages(), captions);
    failsWith(coco(false), OPTIONS, Problem.BAD_FIELD, "annotations[0]",
        "field 'image_id': expected an integer, got \"9\"");
    RealDataset ds = skips(coco(false), OPTIONS, Problem.BAD_FIELD, 1);
    assertEquals(List.of("Food on a white plate."), ds.get("train", 0).answers());
  }

  @Test
  void missingPicture() throws IOException {
    writePictures();
    writeTrain(trainImages(), trainCaptions());
    Path missing = dir.resolve("train2014/COCO_train2014_000000000025.jpg");
    Files.delete(missing);
    failsWith(coco(false), OPTIONS, Problem.MISSING_MEDIA, "captions_train2014.json",
        "images[1]", "id 25", missing + " does not exist");
    RealDataset ds = skips(coco(false), OPTIONS, Problem.MISSING_MEDIA, 1);
    assertEquals(List.of("coco:9", "coco:30"), List.of(ds.id("train", 0), ds.id("train", 1)));
  }

  @Test
  void undecodablePicture() {
    writePictures();
    writeTrain(trainImages(), trainCaptions());
    Path bad = Fixtures.text(dir.resolve("train2014/COCO_train2014_000000000030.jpg"), "<html>");
    failsWith(coco(false), OPTIONS, Problem.UNDECODABLE_MEDIA, "images[2]", bad.toString(),
        "not a JPEG or PNG");
    assertEquals(2, skips(coco(false), OPTIONS, Problem.UNDECODABLE_MEDIA, 1).size("train"));
  }

  @Test
  void damageBehindAGoodHeaderFailsOnGetUnlessDecodedUpFront() throws IOException {
    writePictures();
    writeTrain(trainImages(), trainCaptions());
    // A noisy JPEG cut in half: its header reads, its pixels do not.
    Path file = dir.resolve("train2014/COCO_train2014_000000000025.jpg");
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(96, 96, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.util.Random random = new java.util.Random(5);
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        img.setRGB(x, y, random.nextInt(1 << 24));
      }
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, "jpg", bytes);
    byte[] all = bytes.toByteArray();
    Files.write(file, java.util.Arrays.copyOf(all, all.length / 2));

    RealDataset lazy = coco(false).apply(OPTIONS.withPolicy(BadInputPolicy.SKIP));
    assertEquals(3, lazy.size("train"));
    DatasetFormatException e = assertThrows(DatasetFormatException.class,
        () -> lazy.get("train", 1));
    assertEquals(Problem.UNDECODABLE_MEDIA, e.problem());
    assertTrue(e.getMessage().contains("captions_train2014.json: images[1]"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());

    ReaderOptions decode = OPTIONS.withImageCheck(ImageCheck.DECODE);
    failsWith(coco(false), decode, Problem.UNDECODABLE_MEDIA, "images[1]", "id 25");
    assertEquals(2, skips(coco(false), decode, Problem.UNDECODABLE_MEDIA, 1).size("train"));
  }

  @Test
  void malformedJsonNamesLineAndColumnUnderBothPolicies() {
    writePictures();
    List<String> captions = trainCaptions();
    captions.set(2, "    {\"image_id\": 9 \"id\": 67, \"caption\": \"Food.\"}");
    writeTrain(trainImages(), captions);
    // annotations[2] is on line 12; the quote after "9 " is its 20th character.
    fileError(coco(false), OPTIONS, "captions_train2014.json", "malformed JSON at line 12,"
        + " column 20");
    Fixtures.text(dir.resolve("annotations/captions_train2014.json"), "{\"images\": []}");
    fileError(coco(false), OPTIONS, "no 'annotations' array");
    Fixtures.text(dir.resolve("annotations/captions_train2014.json"), "[]");
    fileError(coco(false), OPTIONS, "expected a JSON object at the top level");
  }

  @Test
  void samplesAreEqualOnEveryGetAndIdsUnique() {
    writePictures();
    writeTrain(trainImages(), trainCaptions());
    writeVal();
    RealDataset ds = coco(true).apply(OPTIONS);
    Set<String> ids = new HashSet<>();
    for (String split : ds.splits()) {
      for (int i = 0; i < ds.size(split); i++) {
        assertEquals(ds.get(split, i), ds.get(split, i));
        assertTrue(ids.add(ds.id(split, i)));
      }
    }
    assertEquals(7, ids.size());
    Dataset.checkIndex(ds, "train", 2);
  }
}
