package dev.mmict.hub.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VitConfigTest {

  @Test
  void derivedSizes() {
    VitConfig c = new VitConfig(32, 8, 3, 64, 2, 4, 4.0, 1e-6);
    assertEquals(4, c.gridSize());
    assertEquals(16, c.numPatches());
    assertEquals(17, c.tokensPerImage());
    assertEquals(16, c.headDim());
    assertEquals(256, c.mlpHidden());
    // timm floors width × ratio: EVA ViT-g's 1408 × 4.3637 = 6144.09 → 6144; 10 × 1.55 → 15.
    assertEquals(6144, new VitConfig(224, 14, 3, 1408, 1, 16, 4.3637, 1e-6).mlpHidden());
    assertEquals(15, new VitConfig(8, 4, 3, 10, 1, 2, 1.55, 1e-6).mlpHidden());
  }

  @Test
  void imageNotDivisibleByPatchIsRejectedWithBothNumbers() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VitConfig.of(30, 8, 64, 2, 4));
    assertTrue(e.getMessage().contains("imageSize 30") && e.getMessage().contains("patchSize 8"),
        e.getMessage());
  }

  @Test
  void widthNotDivisibleByHeadsIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VitConfig.of(32, 8, 66, 2, 4));
    assertTrue(e.getMessage().contains("heads 4"), e.getMessage());
  }

  @Test
  void nonPositiveFieldsAreRejectedByName() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VitConfig.of(32, 8, 64, 0, 4))
        .getMessage().contains("layers"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> VitConfig.of(32, 0, 64, 2, 4))
        .getMessage().contains("patchSize"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new VitConfig(32, 8, 3, 64, 2, 4, 0.0, 1e-6)).getMessage().contains("mlpRatio"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new VitConfig(32, 8, 3, 64, 2, 4, 4.0, 0)).getMessage().contains("layerNormEps"));
  }
}
