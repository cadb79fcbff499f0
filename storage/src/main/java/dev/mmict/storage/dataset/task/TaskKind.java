package dev.mmict.storage.dataset.task;

/** What a task asks of the model. */
public enum TaskKind {
  /** Describe the image or video. */
  CAPTION,
  /** Answer a question about the image or video. */
  VQA,
  /** Name the object with the nonsense name its dialog's demonstrations gave it. */
  FASTBINDING
}
