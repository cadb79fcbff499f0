/**
 * Readers for datasets in the formats users have: COCO captions (official and Karpathy split),
 * VQAv2, MSR-VTT and MSVD captioning (frame folders) and MSVD-QA / MSRVTT-QA. Each is a {@link
 * dev.mmict.storage.dataset.Dataset} over files on disk that keeps only an index in memory and
 * decodes pictures on {@code get}. Bad records fail with a message naming file and record, or
 * under {@link dev.mmict.storage.dataset.real.BadInputPolicy#SKIP} are dropped into a {@link
 * dev.mmict.storage.dataset.real.SkipReport}. A task YAML with a real {@code source} opens through
 * {@link dev.mmict.storage.dataset.real.RealDatasets} (and {@code Datasets.open}).
 */
package dev.mmict.storage.dataset.real;
