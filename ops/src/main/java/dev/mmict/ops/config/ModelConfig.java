package dev.mmict.ops.config;

/**
 * The model: where the pretrained backbone lives and, for {@code pretrain}, the shape of a new
 * one. A backbone directory carries its own shape ({@code config.json}); the shape keys here only
 * matter when a backbone is created.
 *
 * @param backbone directory of the pretrained backbone ({@code pretrain} writes it, fine-tuning
 *     reads it), relative to the repository root
 * @param imageSize picture side in pixels
 * @param patchSize ViT patch side; must divide imageSize
 * @param visionWidth ViT width (also the M-Hub's cross-attention input width)
 * @param visionLayers ViT blocks
 * @param visionHeads ViT attention heads
 * @param mhubWidth M-Hub hidden size
 * @param mhubLayers M-Hub layers
 * @param mhubHeads M-Hub attention heads
 * @param mhubIntermediate M-Hub feed-forward width
 * @param crossAttentionFreq M-Hub layer l cross-attends to the image when l % freq == 0
 * @param queryTokens learned query tokens Q (rows of TGV)
 * @param llmWidth LLM hidden size
 * @param llmLayers LLM decoder layers
 * @param llmHeads LLM attention heads
 * @param llmFfn LLM feed-forward width
 * @param maxTextTokens longest demonstration text, prompt or target kept, in tokens
 * @param vgtPadded feed a demonstration's padded VGT rows too (the release's behaviour) instead of
 *     only its real text tokens
 */
public record ModelConfig(
        String backbone,
        @Range(min = 8, max = 1024) int imageSize,
        @Range(min = 1, max = 64) int patchSize,
        @Range(min = 8, max = 4096) int visionWidth,
        @Range(min = 1, max = 64) int visionLayers,
        @Range(min = 1, max = 64) int visionHeads,
        @Range(min = 8, max = 4096) int mhubWidth,
        @Range(min = 1, max = 64) int mhubLayers,
        @Range(min = 1, max = 64) int mhubHeads,
        @Range(min = 8, max = 16384) int mhubIntermediate,
        @Range(min = 1, max = 64) int crossAttentionFreq,
        @Range(min = 1, max = 256) int queryTokens,
        @Range(min = 8, max = 8192) int llmWidth,
        @Range(min = 1, max = 128) int llmLayers,
        @Range(min = 1, max = 128) int llmHeads,
        @Range(min = 8, max = 32768) int llmFfn,
        @Range(min = 4, max = 512) int maxTextTokens,
        boolean vgtPadded) {

    /** Checks the divisibility rules the layers need. */
    public ModelConfig {
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException("imageSize (" + imageSize + ") must be a multiple of patchSize (" + patchSize + ")");
        }
        divisible("visionWidth", visionWidth, "visionHeads", visionHeads);
        divisible("mhubWidth", mhubWidth, "mhubHeads", mhubHeads);
        divisible("llmWidth", llmWidth, "llmHeads", llmHeads);
    }

    private static void divisible(String a, int x, String b, int y) {
        if (x % y != 0) {
            throw new IllegalArgumentException(a + " (" + x + ") must be a multiple of " + b + " (" + y + ")");
        }
    }

    /** The tiny default (about 0.72 M parameters). */
    public static ModelConfig defaults() {
        return new ModelConfig("models/backbone-tiny", 32, 8, 64, 3, 4, 64, 2, 4, 128, 1, 8, 128, 3, 4, 256, 24, false);
    }
}
