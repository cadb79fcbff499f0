package dev.mmict.storage.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SceneDatasetTest {

  @Test
  void samplesAreDeterministicAcrossInstancesAndDifferAcrossIndicesAndSplits() {
    Dataset a = Datasets.open("shapes-caption");
    Dataset b = Datasets.open("shapes-caption");
    for (int i = 0; i < 20; i++) {
      assertEquals(a.get("train", i), b.get("train", i));
      assertEquals(a.get("test", i), b.get("test", i));
    }
    assertNotEquals(a.get("train", 3).frames(), a.get("train", 4).frames());
    assertNotEquals(a.get("train", 3).frames(), a.get("val", 3).frames());
    assertEquals(20000, a.size("train"));
    assertEquals(a.get("val", 5).id(), a.id("val", 5));
    assertNotEquals(a.id("val", 5), a.id("test", 5));
    assertThrows(IndexOutOfBoundsException.class, () -> a.get("train", 20000));
    assertThrows(IllegalArgumentException.class, () -> a.get("dev", 0));
  }

  @Test
  void captionsDescribeThePicture() {
    TaskSpec spec = Tasks.load("shapes-caption");
    Dataset d = Datasets.open(spec);
    for (int i = 0; i < 200; i++) {
      Sample s = d.get("train", i);
      assertTrue(s.queryable());
      assertEquals(null, s.group());
      assertEquals(1, s.frames().size());
      Frame f = s.frames().get(0);
      assertEquals(3, f.channels());
      assertEquals(32, f.width());
      String colour = Pixels.dominantColour(f, spec.colours());
      assertTrue(s.target().contains(colour), s.target() + " but the picture is " + colour);
      assertTrue(Pixels.count(f, spec.colours().get(colour)) > 30, s.id());
      assertTrue(spec.prompts().contains(s.prompt()), s.prompt());
      assertEquals(s.target(), s.text());
      assertTrue(s.answers().size() >= 2, "several references: " + s.answers());
      for (String ref : s.answers()) {
        assertTrue(ref.contains(colour), ref);
      }
    }
  }

  @Test
  void sizeAndPositionWordsMatchThePixels() {
    TaskSpec spec = Tasks.load("shapes-caption");
    Dataset d = Datasets.open(spec);
    int checked = 0;
    for (int i = 0; i < 400; i++) {
      Sample s = d.get("val", i);
      Frame f = s.frames().get(0);
      String colour = Pixels.dominantColour(f, spec.colours());
      int area = Pixels.count(f, spec.colours().get(colour));
      double[] c = Pixels.centroid(f, spec.colours().get(colour));
      String full = s.answers().get(1) + " " + s.answers().get(2); // "a {size} ...", "... at the {position}."
      // small ≤ 0.45·32 = 14.4 px across (area ≤ 163 px²); large ≥ 0.6·32 = 19.2 px.
      if (full.contains(" small ")) {
        assertTrue(area <= 14.4 * 14.4 + 10, s.id() + " small but " + area);
      } else {
        assertTrue(full.contains(" large "), full);
        assertTrue(area >= 0.3 * 19.2 * 19.2, s.id() + " large but " + area);
      }
      // Left: centre x ≤ r + span/4 < 16; right: ≥ r + 3·span/4 > 16 (span = 32 − d). Pixel i
      // is centred at i + 0.5; the crescent is skipped as its centroid is off its centre.
      if (full.contains("crescent")) {
        continue;
      }
      if (full.endsWith("at the left.")) {
        assertTrue(c[0] + 0.5 < 16, s.id() + " left but x = " + c[0]);
        checked++;
      } else if (full.endsWith("at the right.")) {
        assertTrue(c[0] + 0.5 > 16, s.id() + " right but x = " + c[0]);
        checked++;
      }
    }
    assertTrue(checked > 50, "left/right samples checked: " + checked);
  }

  @Test
  void vqaAnswersAreTheAskedAttribute() {
    TaskSpec spec = Tasks.load("shapes-vqa");
    Dataset d = Datasets.open(spec);
    Set<String> answered = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      Sample s = d.get("train", i);
      assertTrue(s.prompt().startsWith("Question: ") && s.prompt().endsWith(" Short answer:"), s.prompt());
      assertEquals(s.prompt() + " " + s.target(), s.text());
      assertEquals(10, s.answers().size());
      if (s.prompt().contains("what colour")) {
        answered.add("colour");
        assertEquals(Pixels.dominantColour(s.frames().get(0), spec.colours()), s.target());
      } else if (s.prompt().contains("what shape")) {
        answered.add("shape");
        assertTrue(spec.shapes().contains(s.target()), s.target());
      } else if (s.prompt().contains("size")) {
        answered.add("size");
        assertTrue(spec.sizes().containsKey(s.target()), s.target());
      } else {
        answered.add("position");
        assertTrue(spec.positions().contains(s.target()), s.target());
      }
      if (s.target().equals("centre")) {
        assertEquals(3, s.answers().stream().filter("center"::equals).count());
        assertEquals(4, s.answers().stream().filter("centre"::equals).count());
      }
    }
    assertEquals(Set.of("colour", "shape", "size", "position"), answered);
  }

  @Test
  void videoFramesShowTheObjectMovingAsCaptioned() {
    TaskSpec spec = Tasks.load("shapes-video-caption");
    Dataset d = Datasets.open(spec);
    Map<String, double[]> direction = Map.of(
        "left", new double[] {-1, 0}, "right", new double[] {1, 0},
        "up", new double[] {0, -1}, "down", new double[] {0, 1});
    for (int i = 0; i < 100; i++) {
      Sample s = d.get("train", i);
      assertEquals(4, s.frames().size());
      String colour = Pixels.dominantColour(s.frames().get(0), spec.colours());
      double[] first = Pixels.centroid(s.frames().get(0), spec.colours().get(colour));
      double[] last = Pixels.centroid(s.frames().get(3), spec.colours().get(colour));
      String motion = s.target().replaceAll(".* (moving|moves) (\\w+)\\.$", "$2");
      double[] dir = direction.get(motion);
      // 3 steps of 0.1·32 px = 9.6 px along the motion, none across it.
      double along = (last[0] - first[0]) * dir[0] + (last[1] - first[1]) * dir[1];
      double across = (last[0] - first[0]) * dir[1] + (last[1] - first[1]) * dir[0];
      assertEquals(9.6, along, 1.0, s.id() + " " + s.target());
      assertEquals(0, across, 1.0, s.id());
      for (int k = 1; k < 4; k++) {
        assertNotEquals(s.frames().get(k - 1), s.frames().get(k));
      }
    }
  }

  @Test
  void generationIsFast() {
    Dataset d = Datasets.open("shapes-caption");
    long start = System.nanoTime();
    for (int i = 0; i < 2000; i++) {
      d.get("train", i);
    }
    double micros = (System.nanoTime() - start) / 1e3 / 2000;
    // Typically tens of microseconds; the bound is loose for a loaded CI machine.
    assertTrue(micros < 2000, micros + " µs per sample");
  }
}
