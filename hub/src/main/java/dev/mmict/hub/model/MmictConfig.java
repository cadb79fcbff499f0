package dev.mmict.hub.model;

import dev.mmict.hub.lm.OptConfig;
import dev.mmict.hub.mhub.MHubConfig;
import dev.mmict.hub.vision.VitConfig;

/**
 * The whole model's shape: vision encoder, M-Hub and LLM, plus the options of the sequence
 * assembly. The M-Hub's encoder width must equal the vision width, and the M-Hub and the LLM
 * share one tokenizer (BLIP-2 uses two; one keeps a tiny model's vocabulary small).
 *
 * @param vision the frozen ViT
 * @param mhub the instruction-aware Q-Former
 * @param llm the frozen OPT-layout LM
 * @param vgtPadded feed a demonstration's padded VGT rows too (the release's behaviour)
 */
public record MmictConfig(VitConfig vision, MHubConfig mhub, OptConfig llm, boolean vgtPadded) {

  /** Checks that the parts fit together. */
  public MmictConfig {
    if (mhub.encoderWidth() != vision.width()) {
      throw new IllegalArgumentException("mhub.encoderWidth (" + mhub.encoderWidth()
          + ") must equal vision.width (" + vision.width() + ")");
    }
    if (mhub.vocabSize() != llm.vocabSize()) {
      throw new IllegalArgumentException("mhub.vocabSize (" + mhub.vocabSize()
          + ") must equal llm.vocabSize (" + llm.vocabSize() + "): they share one tokenizer");
    }
  }
}
