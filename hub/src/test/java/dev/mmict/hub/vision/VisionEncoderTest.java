package dev.mmict.hub.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.mmict.hub.nn.Params;
import dev.mmict.hub.nn.TestArrays;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VisionEncoderTest {
  private static final String PREFIX = "visual_encoder.";
  // 16-px images, 4-px patches: a 4×4 grid, 16 patches, 17 tokens of width 8.
  private static final VitConfig CONFIG = new VitConfig(16, 4, 3, 8, 2, 2, 2.0, 1e-6);

  private NDManager manager;
  private Params params;
  private VisionEncoder encoder;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    params = new Params(manager, 7);
    encoder = new VisionEncoder(params, PREFIX, CONFIG);
  }

  @AfterEach
  void tearDown() {
    params.close();
    manager.close();
  }

  private NDArray random(SplittableRandom rng, long... shape) {
    return TestArrays.uniform(manager, rng, shape);
  }

  @Test
  void declaresTimmNamesWithTheirShapes() {
    assertEquals(new Shape(1, 1, 8), params.get(PREFIX + "cls_token").getShape());
    assertEquals(new Shape(1, 17, 8), params.get(PREFIX + "pos_embed").getShape());
    assertEquals(new Shape(8, 3, 4, 4), params.get(PREFIX + "patch_embed.proj.weight").getShape());
    assertEquals(new Shape(24, 8), params.get(PREFIX + "blocks.1.attn.qkv.weight").getShape());
    assertEquals(new Shape(24), params.get(PREFIX + "blocks.1.attn.qkv.bias").getShape());
    assertEquals(new Shape(16, 8), params.get(PREFIX + "blocks.0.mlp.fc1.weight").getShape());
    assertEquals(new Shape(8), params.get(PREFIX + "blocks.0.norm2.weight").getShape());
    assertTrue(params.all().keySet().stream().allMatch(n -> n.startsWith(PREFIX)));
    assertTrue(params.all().keySet().stream().noneMatch(n -> n.contains("norm.") && !n.contains("blocks")),
        "no final norm: BLIP-2's ln_vision replaces it");
    // 4 embedding tensors + 12 per block.
    assertEquals(4 + 2 * 12, params.all().size());
  }

  @Test
  void imageAndVideoOutputShapes() {
    SplittableRandom rng = new SplittableRandom(1);
    assertEquals(new Shape(2, 17, 8), encoder.forward(random(rng, 2, 3, 16, 16)).getShape());
    assertEquals(new Shape(2, 3 * 17, 8),
        encoder.forwardFrames(random(rng, 2, 3, 3, 16, 16)).getShape());
    assertThrows(IllegalArgumentException.class, () -> encoder.forward(random(rng, 2, 3, 12, 12)));
    assertThrows(IllegalArgumentException.class, () -> encoder.forwardFrames(random(rng, 2, 3, 16, 16)));
  }

  @Test
  void framesAreEncodedSeparately() {
    SplittableRandom rng = new SplittableRandom(2);
    NDArray a = random(rng, 1, 3, 16, 16); // [1, C, S, S]
    NDArray b = random(rng, 1, 3, 16, 16); // [1, C, S, S]
    float[] fa = encoder.forward(a).toFloatArray();
    float[] fb = encoder.forward(b).toFloatArray();

    // Two identical frames: the single-frame features twice.
    float[] twice = encoder.forwardFrames(a.concat(a).reshape(1, 2, 3, 16, 16)).toFloatArray();
    assertArrayEquals(fa, Arrays.copyOfRange(twice, 0, fa.length), 1e-5f);
    assertArrayEquals(fa, Arrays.copyOfRange(twice, fa.length, 2 * fa.length), 1e-5f);

    // Two different frames: each half is that frame alone, in frame order (no mixing).
    float[] ab = encoder.forwardFrames(a.concat(b).reshape(1, 2, 3, 16, 16)).toFloatArray();
    assertArrayEquals(fa, Arrays.copyOfRange(ab, 0, fa.length), 1e-5f);
    assertArrayEquals(fb, Arrays.copyOfRange(ab, fa.length, 2 * fa.length), 1e-5f);
  }

  /** Pixel value that encodes where it sits: 1000·c + 100·y + x (exact in float32). */
  private static float code(int c, int y, int x) {
    return 1000f * c + 100f * y + x;
  }

  private NDArray codedImage() {
    float[] v = new float[3 * 16 * 16];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          v[(c * 16 + y) * 16 + x] = code(c, y, x);
        }
      }
    }
    return manager.create(v, new Shape(1, 3, 16, 16));
  }

  /** Kernel whose output channel o picks pixel (c, dy, dx) = (o % 3, o % 4, (o + 1) % 4). */
  private void installPickingKernel() {
    float[] w = new float[8 * 3 * 4 * 4];
    for (int o = 0; o < 8; o++) {
      w[((o * 3 + o % 3) * 4 + o % 4) * 4 + (o + 1) % 4] = 1f;
    }
    params.get(PREFIX + "patch_embed.proj.weight").set(w);
  }

  private static float picked(int patch, int o) {
    int gy = patch / 4;
    int gx = patch % 4;
    return code(o % 3, gy * 4 + o % 4, gx * 4 + (o + 1) % 4);
  }

  @Test
  void patchesComeOutInRowMajorOrder() {
    installPickingKernel();
    NDArray img = codedImage();
    for (NDArray out : new NDArray[] {encoder.patchEmbedConv(img), encoder.patchEmbedUnfold(img)}) {
      assertEquals(new Shape(1, 16, 8), out.getShape());
      float[] v = out.toFloatArray();
      for (int n = 0; n < 16; n++) {
        for (int o = 0; o < 8; o++) {
          assertEquals(picked(n, o), v[n * 8 + o], 1e-3, "patch " + n + " channel " + o);
        }
      }
    }
  }

  @Test
  void forwardPutsClsFirstThenPatchesInOrder() {
    // Zero every residual branch's output layer: each block becomes the identity, so the
    // output is [cls; patch embeddings] + pos_embed.
    installPickingKernel();
    for (int i = 0; i < CONFIG.layers(); i++) {
      for (String n : new String[] {"attn.proj.weight", "attn.proj.bias", "mlp.fc2.weight", "mlp.fc2.bias"}) {
        NDArray p = params.get(PREFIX + "blocks." + i + "." + n);
        p.set(new float[Math.toIntExact(p.size())]);
      }
    }
    float[] cls = params.get(PREFIX + "cls_token").toFloatArray();
    float[] pos = params.get(PREFIX + "pos_embed").toFloatArray();
    float[] out = encoder.forward(codedImage()).toFloatArray(); // [1, 17, 8]
    for (int o = 0; o < 8; o++) {
      assertEquals(cls[o] + pos[o], out[o], 1e-5, "CLS channel " + o);
    }
    for (int n = 0; n < 16; n++) {
      for (int o = 0; o < 8; o++) {
        int t = (1 + n) * 8 + o;
        assertEquals(picked(n, o) + pos[t], out[t], 1e-2, "token " + (1 + n) + " channel " + o);
      }
    }
  }

  @Test
  void convAndUnfoldMatchAPlainLoop() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] w = random(rng, 8, 3, 4, 4).toFloatArray();
    float[] bias = random(rng, 8).toFloatArray();
    params.get(PREFIX + "patch_embed.proj.weight").set(w);
    params.get(PREFIX + "patch_embed.proj.bias").set(bias);
    NDArray pixels = random(rng, 2, 3, 16, 16);
    float[] px = pixels.toFloatArray();

    float[] expect = new float[2 * 16 * 8];
    for (int b = 0; b < 2; b++) {
      for (int gy = 0; gy < 4; gy++) {
        for (int gx = 0; gx < 4; gx++) {
          for (int o = 0; o < 8; o++) {
            double s = bias[o];
            for (int c = 0; c < 3; c++) {
              for (int dy = 0; dy < 4; dy++) {
                for (int dx = 0; dx < 4; dx++) {
                  s += w[((o * 3 + c) * 4 + dy) * 4 + dx]
                      * px[((b * 3 + c) * 16 + gy * 4 + dy) * 16 + gx * 4 + dx];
                }
              }
            }
            expect[(b * 16 + gy * 4 + gx) * 8 + o] = (float) s;
          }
        }
      }
    }
    assertArrayEquals(expect, encoder.patchEmbedConv(pixels).toFloatArray(), 1e-4f);
    assertArrayEquals(expect, encoder.patchEmbedUnfold(pixels).toFloatArray(), 1e-4f);
  }

  @Test
  void gradientReachesEveryParameterWhenTrainable() {
    params.setTrainable(n -> true);
    SplittableRandom rng = new SplittableRandom(4);
    NDArray pixels = random(rng, 2, 3, 16, 16);
    NDArray probe = random(rng, 2, 17, 8);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(encoder.forward(pixels).mul(probe).sum());
    }
    for (Params.Param p : params.all().values()) {
      float max = p.value().getGradient().abs().max().getFloat();
      assertTrue(max > 0, "no gradient reached " + p.name());
    }
    // A key bias adds the same amount to every score of a query row, so softmax over keys
    // cancels it: its gradient is zero up to rounding. Non-zero here would mean the softmax
    // runs over the wrong axis.
    float[] g = params.get(PREFIX + "blocks.0.attn.qkv.bias").getGradient().toFloatArray();
    float qMax = 0;
    float kMax = 0;
    for (int i = 0; i < 8; i++) {
      qMax = Math.max(qMax, Math.abs(g[i]));
      kMax = Math.max(kMax, Math.abs(g[8 + i]));
    }
    assertTrue(kMax < 1e-4 * qMax, "key-bias gradient " + kMax + " vs query-bias " + qMax);
  }
  @Test
  void aPictureGetsTheSameBitsAloneAndAnywhereInABatchOfAnySize() {
    // The shipped backbone's encoder shapes: 32 px, patch 8, width 64, 4 heads, 3 blocks.
    VitConfig shipped = new VitConfig(32, 8, 3, 64, 3, 4, 2.0, 1e-6);
    try (Params p = new Params(manager, 11)) {
      VisionEncoder vit = new VisionEncoder(p, "", shipped);
      NDArray pixels = random(new SplittableRandom(9), 12, 3, 32, 32); // [12, C, S, S]
      int per = 17 * 64;
      float[][] alone = new float[12][];
      for (int i = 0; i < 12; i++) {
        alone[i] = vit.forward(pixels.get(i + ":" + (i + 1))).toFloatArray(); // [1, L, W]
      }
      for (int b = 2; b <= 12; b++) {
        for (int start = 0; start + b <= 12; start += b) {
          float[] y = vit.forward(pixels.get(start + ":" + (start + b))).toFloatArray(); // [b, L, W]
          for (int i = 0; i < b; i++) {
            assertArrayEquals(alone[start + i], Arrays.copyOfRange(y, i * per, (i + 1) * per),
                "picture " + (start + i) + " at position " + i + " of a batch of " + b);
          }
        }
      }
    }
  }
}
