package dev.mmict.ops.config;

/**
 * Which task a run trains on and how many in-context demonstrations each query gets
 * (placeholder, to be extended).
 *
 * @param task the downstream task
 * @param shots demonstrations (K) per query; 0 means plain fine-tuning input
 */
public record DataConfig(
        @OneOf({"caption", "vqa", "video-caption", "video-qa"}) String task,
        @Range(min = 0, max = 16) int shots) {

    /** Captioning with two demonstrations per query. */
    public static DataConfig defaults() {
        return new DataConfig("caption", 2);
    }
}
