package dev.mmict.storage.dataset.real;

import static dev.mmict.storage.dataset.real.Fixtures.failsWith;
import static dev.mmict.storage.dataset.real.Fixtures.fileError;
import static dev.mmict.storage.dataset.real.Fixtures.skips;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Frame;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.image.Augmentation;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MSR-VTT, MSVD, MSVD-QA and MSRVTT-QA over frame folders. */
class VideoReadersTest {

  @TempDir Path dir;

  static final ReaderOptions OPTIONS = ReaderOptions.of(8);

  /**
   * Clip folder {@code clip} with {@code n} frames frame_1.png … frame_n.png; frame i has value
   * 4·x + 2·y + 10·i (an asymmetric ramp, brighter each frame).
   */
  Path clip(String clip, int n) {
    Path folder = dir.resolve("frames").resolve(clip);
    try {
      Files.createDirectories(folder);
      for (int i = 1; i <= n; i++) {
        BufferedImage img = new BufferedImage(24, 18, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 18; y++) {
          for (int x = 0; x < 24; x++) {
            img.getRaster().setSample(x, y, 0, 4 * x + 2 * y + 10 * i);
          }
        }
        ImageIO.write(img, "png", folder.resolve("frame_" + i + ".png").toFile());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return folder;
  }

  /** The frame number (1-based) each output frame came from, read from its brightness. */
  static List<Integer> frameNumbers(Sample s) {
    List<Integer> out = new ArrayList<>();
    Frame first = s.frames().get(0);
    for (Frame f : s.frames()) {
      double diff = 0;
      for (int i = 0; i < f.pixels().length; i++) {
        diff += f.pixels()[i] - first.pixels()[i];
      }
      out.add((int) Math.round(diff / f.pixels().length * 255 / 10));
    }
    return out;
  }

  @Test
  void uniformSamplingAndNaturalOrder() throws BadRecord {
    assertArrayEquals(new int[] {1, 3, 6, 8}, FrameFolders.uniform(10, 4));
    assertArrayEquals(new int[] {0, 0, 1, 2, 2}, FrameFolders.uniform(3, 5));
    assertArrayEquals(new int[] {0}, FrameFolders.uniform(1, 1));
    clip("v", 10);
    List<Path> sampled = FrameFolders.sample(dir.resolve("frames/v"), 4);
    assertEquals(List.of("frame_2.png", "frame_4.png", "frame_7.png", "frame_9.png"),
        sampled.stream().map(p -> p.getFileName().toString()).toList());
    List<String> names = new ArrayList<>(List.of("vid10", "vid9", "vid1", "a", "vid010x"));
    names.sort(NaturalOrder.INSTANCE);
    assertEquals(List.of("a", "vid1", "vid9", "vid10", "vid010x"), names);
  }

  // ---- MSR-VTT --------------------------------------------------------------------------

  static String video(String id, String split, int n) {
    return "    {\"category\": 9, \"url\": \"https://www.youtube.com/watch?v=x" + n + "\","
        + " \"video_id\": \"" + id + "\", \"start time\": 137.72, \"end time\": 149.44,"
        + " \"split\": \"" + split + "\", \"id\": " + n + "}";
  }

  static String sentence(String videoId, String caption, int n) {
    return "    {\"caption\": \"" + caption + "\", \"video_id\": \"" + videoId + "\","
        + " \"sen_id\": " + n + "}";
  }

  void writeMsrvtt(List<String> videos, List<String> sentences) {
    Fixtures.text(dir.resolve("train_val_videodatainfo.json"),
        "{\n  \"info\": {\"contributor\": \"Microsoft\", \"year\": \"2016\"},\n"
            + "  \"videos\": [\n" + String.join(",\n", videos) + "\n  ],\n"
            + "  \"sentences\": [\n" + String.join(",\n", sentences) + "\n  ]\n}\n");
  }

  static List<String> videos() {
    return new ArrayList<>(List.of(video("video0", "train", 0), video("video1", "validate", 1),
        video("video2", "train", 2), video("video3", "test", 3)));
  }

  static List<String> sentences() {
    return new ArrayList<>(List.of(sentence("video0", "a car drives down a road", 0),
        sentence("video1", "a man is singing", 1), sentence("video0", "a red car", 2),
        sentence("video2", "people dance", 3), sentence("video3", "a cat plays", 4)));
  }

  Function<ReaderOptions, RealDataset> msrvtt(int frames) {
    return o -> MsrvttReader.open("msrvtt", new MsrvttConfig(
        List.of(dir.resolve("train_val_videodatainfo.json")), dir.resolve("frames"), frames,
        MsrvttConfig.STANDARD_SPLITS), o);
  }

  void msrvttClips() {
    clip("video0", 10);
    clip("video1", 3);
    clip("video2", 5);
    clip("video3", 4);
  }

  @Test
  void msrvttSamplesFramesAndMapsSplits() {
    msrvttClips();
    writeMsrvtt(videos(), sentences());
    RealDataset ds = msrvtt(4).apply(OPTIONS);
    assertEquals(2, ds.size("train"));
    assertEquals(1, ds.size("val"));
    assertEquals(1, ds.size("test"));
    Sample s = ds.get("train", 0);
    assertEquals("msrvtt:video0", s.id());
    assertEquals(List.of("a car drives down a road", "a red car"), s.answers());
    assertEquals(Texts.VIDEO_CAPTION_PROMPT, s.prompt());
    assertEquals(4, s.frames().size());
    // Frames 2, 4, 7, 9 of 10: offsets 0, 2, 5, 7 frames after the first.
    assertEquals(List.of(0, 2, 5, 7), frameNumbers(s));
    // A 3-frame clip repeats frames to give 4.
    assertEquals(List.of(0, 1, 1, 2), frameNumbers(ds.get("val", 0)));
    assertEquals("a man is singing", ds.get("val", 0).target());
  }

  @Test
  void trainClipsGetOneCropAndFlipDeterministicallyEvalTheCentre() {
    msrvttClips();
    writeMsrvtt(videos(), sentences());
    ReaderOptions augmented = OPTIONS.withAugmentation(
        new Augmentation(0.2, 0.7, 0.75, 1.33, true), 11);
    RealDataset ds = msrvtt(4).apply(augmented);
    RealDataset plain = msrvtt(4).apply(OPTIONS);
    for (int i = 0; i < ds.size("train"); i++) {
      Sample s = ds.get("train", i);
      assertEquals(s, ds.get("train", i));
      // One crop for the clip: frames differ by their brightness offset only, everywhere.
      Frame first = s.frames().get(0);
      for (int k = 1; k < s.frames().size(); k++) {
        float offset = s.frames().get(k).pixels()[0] - first.pixels()[0];
        assertTrue(offset > 0.03f, "later frames are brighter (≥ 10/255)");
        for (int p = 0; p < first.pixels().length; p++) {
          assertEquals(offset, s.frames().get(k).pixels()[p] - first.pixels()[p], 1e-5f);
        }
      }
      assertNotEquals(plain.get("train", i).frames(), s.frames(), "train " + i + " augmented");
    }
    assertEquals(plain.get("val", 0), ds.get("val", 0));
    assertEquals(plain.get("test", 0), ds.get("test", 0));
    // Another seed (say, the next epoch) gives other crops for the same ids and texts.
    RealDataset next = ds.withSeed(12);
    assertEquals(ds.id("train", 0), next.id("train", 0));
    assertNotEquals(ds.get("train", 0).frames(), next.get("train", 0).frames());
    assertEquals(msrvtt(4).apply(augmented).get("train", 1), ds.get("train", 1));
  }

  @Test
  void msrvttBadInputs() throws IOException {
    msrvttClips();
    List<String> sents = sentences();
    sents.set(3, sentence("video2", "", 3));
    writeMsrvtt(videos(), sents);
    failsWith(msrvtt(4), OPTIONS, Problem.EMPTY_TEXT, "train_val_videodatainfo.json",
        "sentences[3] (line 13, video_id video2)", "empty caption");
    // video2's only caption is gone: the caption is skipped, then the video.
    RealDataset ds = msrvtt(4).apply(OPTIONS.withPolicy(BadInputPolicy.SKIP));
    assertEquals(Map.of(Problem.EMPTY_TEXT, 1, Problem.NO_CAPTIONS, 1),
        ds.skipReport().countsByProblem());
    assertEquals(1, ds.size("train"));

    sents = sentences();
    sents.add(sentence("video9", "nobody", 9));
    writeMsrvtt(videos(), sents);
    failsWith(msrvtt(4), OPTIONS, Problem.DANGLING_REFERENCE, "sentences[5]",
        "video_id video9 is not in videos[]");
    assertEquals(2, skips(msrvtt(4), OPTIONS, Problem.DANGLING_REFERENCE, 1).size("train"));

    writeMsrvtt(videos(), sentences());
    Path folder = dir.resolve("frames/video2");
    try (var files = Files.list(folder)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    failsWith(msrvtt(4), OPTIONS, Problem.MISSING_MEDIA, "videos[2]", "video_id video2",
        "holds no .jpg or .png frames");
    assertEquals(1, skips(msrvtt(4), OPTIONS, Problem.MISSING_MEDIA, 1).size("train"));
    Files.delete(folder);
    failsWith(msrvtt(4), OPTIONS, Problem.MISSING_MEDIA, folder + " does not exist");

    clip("video2", 2);
    Fixtures.text(folder.resolve("frame_2.png"), "not a png");
    failsWith(msrvtt(4), OPTIONS, Problem.UNDECODABLE_MEDIA, "videos[2]", "frame_2.png");
    assertEquals(1, skips(msrvtt(4), OPTIONS, Problem.UNDECODABLE_MEDIA, 1).size("train"));
  }

  // ---- MSVD -----------------------------------------------------------------------------

  Function<ReaderOptions, RealDataset> msvd(Map<String, MsvdConfig.Range> ranges) {
    return o -> MsvdReader.open("msvd", new MsvdConfig(dir.resolve("captions.json"),
        dir.resolve("frames"), 2, ranges), o);
  }

  static Map<String, MsvdConfig.Range> ranges() {
    Map<String, MsvdConfig.Range> r = new LinkedHashMap<>();
    r.put("train", new MsvdConfig.Range(0, 2));
    r.put("test", new MsvdConfig.Range(2, 3));
    return r;
  }

  @Test
  void msvdSortsClipIdsNaturallyAndSplitsByPosition() {
    clip("vid1", 2);
    clip("vid2", 2);
    clip("vid10", 2);
    Fixtures.text(dir.resolve("captions.json"), "{\n  \"vid10\": [\"a dog runs\"],\n"
        + "  \"vid2\": [\"a woman cooks\", \"someone is cooking\"],\n  \"vid1\": [\"a man"
        + " plays guitar\"]\n}\n");
    RealDataset ds = msvd(ranges()).apply(OPTIONS);
    assertEquals(List.of("msvd:vid1", "msvd:vid2"), List.of(ds.id("train", 0),
        ds.id("train", 1)));
    assertEquals("msvd:vid10", ds.id("test", 0));
    assertEquals(List.of("a woman cooks", "someone is cooking"), ds.get("train", 1).answers());
    assertEquals(2, ds.get("test", 0).frames().size());
  }

  @Test
  void msvdBadInputsKeepTheOtherClipsInPlace() {
    clip("vid1", 2);
    clip("vid2", 2);
    clip("vid10", 2);
    Fixtures.text(dir.resolve("captions.json"), "{\n  \"vid1\": \"a man\",\n"
        + "  \"vid2\": [\"\", \"someone is cooking\"],\n  \"vid10\": [\"a dog runs\"]\n}\n");
    failsWith(msvd(ranges()), OPTIONS, Problem.BAD_FIELD, "captions['vid1'] (line 2)",
        "expected a list of captions");
    RealDataset ds = msvd(ranges()).apply(OPTIONS.withPolicy(BadInputPolicy.SKIP));
    assertEquals(Map.of(Problem.BAD_FIELD, 1, Problem.EMPTY_TEXT, 1),
        ds.skipReport().countsByProblem());
    assertEquals("captions['vid2'] (line 3)[0]",
        ds.skipReport().of(Problem.EMPTY_TEXT).get(0).record());
    // vid1 is dropped, yet vid10 stays in test: positions count every clip of the file.
    assertEquals(List.of("msvd:vid2"), List.of(ds.id("train", 0)));
    assertEquals(1, ds.size("train"));
    assertEquals("msvd:vid10", ds.id("test", 0));

    Fixtures.text(dir.resolve("captions.json"), "{\"vid1\": [\"a\"],\n \"vid1\": [\"b\"]}");
    failsWith(msvd(ranges()), OPTIONS, Problem.DUPLICATE_ID, "'vid1' appears twice");
    assertEquals(1, skips(msvd(ranges()), OPTIONS, Problem.DUPLICATE_ID, 1).size("train"));

    Fixtures.text(dir.resolve("captions.json"), "{\"vid1\": [\"a\"]\n \"vid2\": [\"b\"]}");
    fileError(msvd(ranges()), OPTIONS, "captions.json: malformed JSON at line 2, column 2");
  }

  // ---- MSVD-QA / MSRVTT-QA ----------------------------------------------------------------

  Function<ReaderOptions, RealDataset> msvdQa() {
    Map<String, VideoQaConfig.Split> splits = new LinkedHashMap<>();
    splits.put("train", new VideoQaConfig.Split(dir.resolve("train_qa.json"), null));
    splits.put("val", new VideoQaConfig.Split(dir.resolve("val_qa.json"), null));
    return o -> VideoQaReader.open("msvd-qa", "msvd-qa", new VideoQaConfig(splits,
        dir.resolve("frames"), 3, "vid{video_id}"), o);
  }

  static String qa(String answer, int id, String question, String video) {
    return "  {\"answer\": \"" + answer + "\", \"id\": " + id + ", \"question\": \"" + question
        + "\", " + video + "}";
  }

  void writeQa(List<String> train) {
    Fixtures.text(dir.resolve("train_qa.json"), "[\n" + String.join(",\n", train) + "\n]\n");
    Fixtures.text(dir.resolve("val_qa.json"), "[\n" + qa("dog", 0, "what runs?",
        "\"video_id\": 3") + "\n]\n");
  }

  static List<String> trainQa() {
    return new ArrayList<>(List.of(qa("man", 0, "who plays a guitar?", "\"video_id\": 1"),
        qa("guitar", 1, "what does a man play?", "\"video_id\": 1"),
        qa("cook", 2, "what does the woman do?", "\"video\": \"vid2\"")));
  }

  @Test
  void videoQaNamesClipsFromTheTemplateOrTheVideoField() {
    clip("vid1", 6);
    clip("vid2", 3);
    clip("vid3", 3);
    writeQa(trainQa());
    RealDataset ds = msvdQa().apply(OPTIONS);
    assertEquals(3, ds.size("train"));
    assertEquals(1, ds.size("val"));
    Sample s = ds.get("train", 1);
    assertEquals("msvd-qa:train:1", s.id());
    assertEquals("Question: what does a man play? Short answer:", s.prompt());
    assertEquals("guitar", s.target());
    assertEquals(List.of("guitar"), s.answers());
    assertEquals("what does a man play? guitar", s.text());
    assertEquals(List.of(0, 2, 4), frameNumbers(s));
    assertEquals("cook", ds.get("train", 2).target());
    // The same id in another split's file is another sample.
    assertEquals("msvd-qa:val:0", ds.id("val", 0));
  }

  @Test
  void videoQaBadInputs() {
    clip("vid1", 3);
    clip("vid3", 3);
    List<String> train = trainQa();
    train.set(0, qa("", 0, "who plays a guitar?", "\"video_id\": 1"));
    writeQa(train);
    failsWith(msvdQa(), OPTIONS, Problem.EMPTY_TEXT, "train_qa.json",
        "questions[0] (line 2, id 0, clip vid1)", "empty answer");
    // vid2's folder is missing too: its question is dropped as well.
    RealDataset ds = msvdQa().apply(OPTIONS.withPolicy(BadInputPolicy.SKIP));
    assertEquals(Map.of(Problem.EMPTY_TEXT, 1, Problem.MISSING_MEDIA, 1),
        ds.skipReport().countsByProblem());
    assertEquals(1, ds.size("train"));
    assertTrue(ds.skipReport().summary().startsWith("2 records skipped"));

    train = trainQa();
    train.set(1, "  {\"answer\": \"guitar\", \"id\": 1, \"question\": \"what?\"}");
    train.remove(2);
    writeQa(train);
    failsWith(msvdQa(), OPTIONS, Problem.BAD_FIELD, "questions[1]", "missing field 'video_id'");
    assertEquals(1, skips(msvdQa(), OPTIONS, Problem.BAD_FIELD, 1).size("train"));
  }
}
