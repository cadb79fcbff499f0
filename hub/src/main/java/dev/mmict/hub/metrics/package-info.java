/**
 * Evaluation metrics computed the way the reference toolkits do: the COCO caption toolkit
 * (pycocoevalcap: PTB tokenisation, BLEU-1..4, ROUGE-L, CIDEr-D) and the official VQAv2
 * evaluation (answer normalisation, soft accuracy), plus exact-match accuracy for video QA.
 *
 * <p>Pure Java, no tensors: the classes here are deterministic functions of strings. Entry
 * points are {@link dev.mmict.hub.metrics.CaptionMetrics} and {@link dev.mmict.hub.metrics.QaMetrics};
 * the single metrics ({@link dev.mmict.hub.metrics.Bleu}, {@link dev.mmict.hub.metrics.RougeL},
 * {@link dev.mmict.hub.metrics.CiderD}) work on a validated, tokenised
 * {@link dev.mmict.hub.metrics.CaptionCorpus}.
 */
package dev.mmict.hub.metrics;
