package dev.mmict.ops.config;

/**
 * What a run trains and evaluates on, and how each query gets its in-context demonstrations.
 *
 * @param task a built-in task name (see {@code storage/README.md}) or a task YAML file
 * @param shots demonstrations (K) per query; 0 gives plain fine-tuning input; -1 means "auto":
 *     the whole dialog for fast-binding tasks, 2 otherwise
 * @param strategy {@code random} draws demonstrations from the training split, {@code same-group}
 *     takes the query's own dialog (fast binding), {@code auto} picks by task kind
 * @param packed a directory written by {@code mmict data pack} holding the task's dataset: samples
 *     are then read record by record from its shards (empty: the task's own source)
 */
public record DataConfig(
        String task,
        @Range(min = -1, max = 64) int shots,
        @OneOf({"auto", "random", "same-group"}) String strategy,
        String packed) {

    /** Fast binding on the built-in shapes, demonstrations chosen by task kind. */
    public static DataConfig defaults() {
        return new DataConfig("shapes-fastbinding", -1, "auto", "");
    }
}
