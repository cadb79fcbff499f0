package dev.mmict.ops.config;

/**
 * Which task a run trains on and how many in-context demonstrations each query gets
 * (loader test fixture).
 *
 * @param task the downstream task
 * @param shots demonstrations (K) per query; 0 means plain fine-tuning input
 */
public record ExampleDataConfig(
        @OneOf({"caption", "vqa", "video-caption", "video-qa"}) String task,
        @Range(min = 0, max = 16) int shots) {

    /** Captioning with two demonstrations per query. */
    public static ExampleDataConfig defaults() {
        return new ExampleDataConfig("caption", 2);
    }
}
