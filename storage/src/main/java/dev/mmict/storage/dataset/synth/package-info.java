/**
 * The generated datasets: every sample is rendered on demand from (task seed, split, index), so
 * nothing is stored and any process regenerates the same sample. {@link
 * dev.mmict.storage.dataset.synth.SceneDataset} serves caption and vqa tasks, {@link
 * dev.mmict.storage.dataset.synth.FastBindingDataset} the dialogs of fast concept binding.
 */
package dev.mmict.storage.dataset.synth;
