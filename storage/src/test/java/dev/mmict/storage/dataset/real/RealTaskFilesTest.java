package dev.mmict.storage.dataset.real;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.dataset.Sample;
import dev.mmict.storage.dataset.task.TaskKind;
import dev.mmict.storage.dataset.task.TaskSpecException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-dataset task YAML files: keys, defaults, paths, errors, and Datasets.open. */
class RealTaskFilesTest {

  @TempDir Path dir;

  /** COCO-style files under dir/coco: train (images 9, 25) and val (42, 73). */
  void writeCoco() {
    Fixtures.picture(dir.resolve("coco/train2014/COCO_train2014_000000000009.jpg"), 12, 8,
        0xE01010);
    Fixtures.picture(dir.resolve("coco/train2014/COCO_train2014_000000000025.jpg"), 8, 12,
        0x10E010);
    Fixtures.text(dir.resolve("coco/annotations/captions_train2014.json"),
        CocoCaptionsReaderTest.captionsJson(
            List.of(CocoCaptionsReaderTest.image("train2014", 9, 12, 8),
                CocoCaptionsReaderTest.image("train2014", 25, 8, 12)),
            List.of(CocoCaptionsReaderTest.caption(9, 1, "A plate."),
                CocoCaptionsReaderTest.caption(25, 2, "A giraffe."),
                CocoCaptionsReaderTest.caption(25, 3, "")), true));
    Fixtures.grey(dir.resolve("coco/val2014/COCO_val2014_000000000042.jpg"), 8, 8, 42);
    Fixtures.grey(dir.resolve("coco/val2014/COCO_val2014_000000000073.jpg"), 8, 8, 73);
    Fixtures.text(dir.resolve("coco/annotations/captions_val2014.json"),
        CocoCaptionsReaderTest.captionsJson(
            List.of(CocoCaptionsReaderTest.image("val2014", 42, 8, 8),
                CocoCaptionsReaderTest.image("val2014", 73, 8, 8)),
            List.of(CocoCaptionsReaderTest.caption(42, 4, "Grey."),
                CocoCaptionsReaderTest.caption(73, 5, "Grey too.")), true));
  }

  static final String COCO_YAML = """
      description: COCO captions at 12 px
      source: coco
      root: coco
      image_size: 12
      seed: 3
      on_bad_input: skip
      check_images: decode
      augment: {scale: [0.5, 1.0], flip: true}
      prompt: "describe the photo:"
      splits:
        train: {annotations: annotations/captions_train2014.json, images: train2014}
        val: {annotations: annotations/captions_val2014.json, images: val2014, slice: [0, 0.5]}
        test: {annotations: annotations/captions_val2014.json, images: val2014, slice: [0.5, 1]}
      """;

  @Test
  void cocoTaskFileOpensThroughDatasets() {
    writeCoco();
    Path yaml = Fixtures.text(dir.resolve("my-coco.yaml"), COCO_YAML);
    assertTrue(RealDatasets.isRealTaskFile(yaml));
    Dataset opened = Datasets.open(yaml.toString());
    RealDataset ds = assertInstanceOf(RealDataset.class, opened);
    assertEquals("my-coco", ds.name());
    assertEquals(List.of("train", "val", "test"), ds.splits());
    assertEquals(2, ds.size("train"));
    assertEquals("coco:73", ds.id("test", 0));
    Sample s = ds.get("train", 1);
    assertEquals("describe the photo:", s.prompt());
    assertEquals(List.of("A giraffe."), s.answers());
    assertEquals(12, s.frames().get(0).width());
    // on_bad_input: skip dropped the empty caption and says so.
    assertEquals(1, ds.skipReport().of(Problem.EMPTY_TEXT).size());
    assertNotNull(ds.pipeline().augmentation());
    assertEquals(0.5, ds.pipeline().augmentation().minScale());

    RealTaskSpec spec = RealDatasets.load(yaml);
    assertEquals(RealSource.COCO, spec.source());
    assertEquals(TaskKind.CAPTION, spec.kind());
    assertEquals("COCO captions at 12 px", spec.description());
    assertEquals(ImageCheck.DECODE, spec.options().imageCheck());
    CocoCaptionsConfig config = assertInstanceOf(CocoCaptionsConfig.class, spec.config());
    assertEquals(dir.resolve("coco/train2014").toAbsolutePath(),
        config.splits().get("train").images());
  }

  @Test
  void generatedTaskFilesStillOpenAsBefore() {
    Path yaml = Fixtures.text(dir.resolve("gen.yaml"), """
        kind: caption
        splits: {train: 3, val: 1, test: 1}
        prompts: ["describe:"]
        targets: ["a {colour} {shape}."]
        demos: ["{target}"]
        """);
    assertFalse(RealDatasets.isRealTaskFile(yaml));
    Dataset ds = Datasets.open(yaml.toString());
    assertFalse(ds instanceof RealDataset);
    assertEquals(3, ds.size("train"));
  }

  @Test
  void videoAndQaSourcesTakeTheirKeysAndDefaults() {
    Fixtures.text(dir.resolve("msrvtt.yaml"), """
        source: msrvtt
        frames: 4
        annotations: train_val_videodatainfo.json
        frames_dir: frames
        """);
    RealTaskSpec msrvtt = RealDatasets.load(dir.resolve("msrvtt.yaml"));
    MsrvttConfig m = assertInstanceOf(MsrvttConfig.class, msrvtt.config());
    assertEquals(List.of(dir.resolve("train_val_videodatainfo.json").toAbsolutePath()),
        m.annotations());
    assertEquals(4, m.frames());
    assertEquals(MsrvttConfig.STANDARD_SPLITS, m.splitMap());
    assertEquals(32, msrvtt.options().imageSize());
    assertEquals(BadInputPolicy.FAIL, msrvtt.options().policy());
    assertEquals(ImageCheck.HEADER, msrvtt.options().imageCheck());

    Fixtures.text(dir.resolve("msvd-qa.yaml"), """
        source: msvd-qa
        kind: vqa
        frames_dir: /data/msvd/frames
        splits:
          train: {questions: train_qa.json}
          test: {questions: test_qa.json}
        limits: {train: 100}
        """);
    RealTaskSpec qa = RealDatasets.load(dir.resolve("msvd-qa.yaml"));
    VideoQaConfig q = assertInstanceOf(VideoQaConfig.class, qa.config());
    assertEquals("vid{video_id}", q.clipName());
    assertEquals(Path.of("/data/msvd/frames"), q.framesDir());
    assertEquals(RealTaskResolver.DEFAULT_FRAMES, q.frames());
    assertEquals(Map.of("train", 100), qa.options().limits());
    assertEquals(TaskKind.VQA, qa.kind());

    Fixtures.text(dir.resolve("msvd.yaml"), """
        source: msvd
        captions: captions.json
        frames_dir: frames
        ranges: {train: [0, 2], test: [2, 3]}
        """);
    MsvdConfig v = assertInstanceOf(MsvdConfig.class,
        RealDatasets.load(dir.resolve("msvd.yaml")).config());
    assertEquals(new MsvdConfig.Range(2, 3), v.ranges().get("test"));

    Fixtures.text(dir.resolve("karpathy.yaml"), """
        source: coco-karpathy
        annotations: dataset_coco.json
        images: /data/coco
        split_map: {train: [train, restval], test: test}
        """);
    KarpathyConfig k = assertInstanceOf(KarpathyConfig.class,
        RealDatasets.load(dir.resolve("karpathy.yaml")).config());
    assertEquals(List.of("test"), k.splitMap().get("test"));
  }

  private TaskSpecException fails(String yaml) {
    return assertThrows(TaskSpecException.class,
        () -> RealDatasets.parse("t", yaml, dir, "t.yaml"));
  }

  private static void says(TaskSpecException e, String key, int line, String fragment) {
    assertEquals(key, e.key(), e.getMessage());
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void mistakesNameTheKeyAndLine() {
    says(fails("source: coco\nsplits:\n  train: {annotations: a.json, imgs: x}\n"),
        "splits.train.imgs", 3, "unknown key 'imgs'");
    says(fails("source: coco\nframes: 4\nsplits:\n  train: {annotations: a.json, images: x}\n"),
        "frames", 2, "not used by source coco");
    says(fails("source: coco\nsplits:\n  train: {annotations: a.json}\n"),
        "splits.train.images", 3, "missing (required)");
    says(fails("source: coco\nsplits:\n  dev: {annotations: a.json, images: x}\n"),
        "splits.dev", 3, "unknown split 'dev'");
    says(fails("source: coco\non_bad_input: ignore\nsplits:\n  train: {annotations: a, images: x}\n"),
        "on_bad_input", 2, "expected one of [fail, skip]");
    says(fails("source: vqav2\nprompt: \"answer:\"\nsplits:\n"
        + "  train: {questions: q, annotations: a, images: x}\n"), "prompt", 2,
        "must contain {question}");
    says(fails("source: coco\nsplits:\n  train: {annotations: a, images: x, slice: [0.5, 0.2]}\n"),
        "splits.train.slice", 3, "0 ≤ from < to ≤ 1");
    says(fails("source: msvd\nkind: vqa\ncaptions: c.json\nframes_dir: f\n"), "kind", 2,
        "msvd is a caption task");
    says(fails("source: flickr\n"), "source", 1, "unknown source 'flickr'");
    says(fails("source: msvd\ncaptions: c.json\nframes_dir: f\nframes: 100\n"), "frames", 4,
        "must be in [1, 64]");
    says(fails("source: msvd-qa\nframes_dir: f\nclip_name: clip\nsplits:\n"
        + "  train: {questions: q}\n"), "clip_name", 3, "must contain {video_id}");
  }
}
