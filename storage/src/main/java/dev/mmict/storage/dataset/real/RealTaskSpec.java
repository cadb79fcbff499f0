package dev.mmict.storage.dataset.real;

import dev.mmict.storage.dataset.task.TaskKind;

/**
 * A validated real-dataset task file: everything {@link RealDatasets#open(RealTaskSpec)} needs.
 *
 * @param name the task's name (file name without ".yaml")
 * @param description free text, may be empty
 * @param source the dataset format
 * @param kind caption or vqa (implied by the source)
 * @param options image size, bad-input policy, checks, augmentation, texts, limits
 * @param config the source's files and layout
 */
public record RealTaskSpec(
    String name,
    String description,
    RealSource source,
    TaskKind kind,
    ReaderOptions options,
    SourceConfig config) {}
