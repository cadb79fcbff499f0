package dev.mmict.ops.config;

/**
 * The frozen-feature cache: the vision encoder does not train during MMICT fine-tuning or
 * evaluation, so its output per picture (the ViT tokens before the trainable {@code ln_vision})
 * is computed once and reused. See {@code docs/feature-cache.md}.
 *
 * @param enabled cache the frozen encoder's outputs at all; false runs the encoder on every
 *     visual of every step (for measurements and debugging)
 * @param dir root of the on-disk cache (float16 shards, one subdirectory per encoder
 *     fingerprint), shared by runs, modes, stages and processes that use the same backbone;
 *     empty keeps the cache in memory for one model's lifetime (exact float32, nothing written)
 */
public record CacheConfig(boolean enabled, String dir) {

    /** Cache in memory only. */
    public static CacheConfig defaults() {
        return new CacheConfig(true, "");
    }
}
