/**
 * Task definitions: the YAML files that say what a generated dataset contains (kind, source,
 * vocabularies, templates, name pools, ways, shots, split sizes, seed), their loading with
 * errors that name the file, key and line, and the validated {@link
 * dev.mmict.storage.dataset.task.TaskSpec}.
 */
package dev.mmict.storage.dataset.task;
