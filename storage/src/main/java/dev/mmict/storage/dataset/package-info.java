/**
 * Datasets as the trainer, the demonstration sampler and the step planner see them: a {@link
 * dev.mmict.storage.dataset.Dataset} of {@link dev.mmict.storage.dataset.Sample}s made of {@link
 * dev.mmict.storage.dataset.Frame}s, plus {@link dev.mmict.storage.dataset.DemoSampler}. Built-in
 * tasks are opened with {@link dev.mmict.storage.dataset.Datasets#open(String)}.
 */
package dev.mmict.storage.dataset;
