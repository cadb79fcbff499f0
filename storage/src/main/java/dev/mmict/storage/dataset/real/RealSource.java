package dev.mmict.storage.dataset.real;

import dev.mmict.storage.dataset.task.TaskKind;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The dataset formats a task file's {@code source} may name, with the kind of task each is. */
public enum RealSource {
  /** Official COCO captions files. */
  COCO("coco", TaskKind.CAPTION, false),
  /** The Karpathy split file of COCO (or Flickr8k/30k). */
  COCO_KARPATHY("coco-karpathy", TaskKind.CAPTION, false),
  /** VQAv2 questions and annotations over COCO images. */
  VQAV2("vqav2", TaskKind.VQA, false),
  /** MSR-VTT video captioning. */
  MSRVTT("msrvtt", TaskKind.CAPTION, true),
  /** MSVD video captioning. */
  MSVD("msvd", TaskKind.CAPTION, true),
  /** MSVD-QA video question answering. */
  MSVD_QA("msvd-qa", TaskKind.VQA, true),
  /** MSRVTT-QA video question answering. */
  MSRVTT_QA("msrvtt-qa", TaskKind.VQA, true);

  private final String word;
  private final TaskKind kind;
  private final boolean video;

  RealSource(String word, TaskKind kind, boolean video) {
    this.word = word;
    this.kind = kind;
    this.video = video;
  }

  /** The name used in task files. */
  public String word() {
    return word;
  }

  /** Caption or vqa. */
  public TaskKind kind() {
    return kind;
  }

  /** Whether samples are clips of several frames. */
  public boolean video() {
    return video;
  }

  /** The source called {@code word} in a task file, or null if none is. */
  public static RealSource find(String word) {
    for (RealSource s : values()) {
      if (s.word.equals(word.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    return null;
  }

  /** Every task-file name. */
  public static List<String> words() {
    return Arrays.stream(values()).map(RealSource::word).toList();
  }
}
