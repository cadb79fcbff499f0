package dev.mmict.worker.train;

import dev.mmict.hub.assembly.Mode;
import dev.mmict.hub.generation.GenerationConfig;
import dev.mmict.storage.dataset.DemoSampler;

/**
 * How to evaluate.
 *
 * @param mode the sequence format
 * @param withDemos give the query demonstrations at evaluation (MMICT.md's default: yes)
 * @param shots demonstrations per query
 * @param strategy RANDOM draws them from the training split; SAME_GROUP takes the query's own
 *     dialog (fast binding), from the evaluated split
 * @param maxSamples evaluate at most this many queries (the first of a seeded order)
 * @param batchSize dialogs per generation batch
 * @param generation decoding settings
 * @param seed fixes the query order and demonstration draws
 */
public record EvalSettings(
    Mode mode,
    boolean withDemos,
    int shots,
    DemoSampler.Strategy strategy,
    int maxSamples,
    int batchSize,
    GenerationConfig generation,
    long seed) { }
