package dev.mmict.storage.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.synth.FastBindingDataset;
import dev.mmict.storage.dataset.task.TaskSpec;
import dev.mmict.storage.dataset.task.Tasks;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FastBindingDatasetTest {

  private final TaskSpec spec = Tasks.load("shapes-fastbinding");
  private final FastBindingDataset data = (FastBindingDataset) Datasets.open(spec);

  @Test
  void dialogsAreDeterministicAcrossInstances() {
    FastBindingDataset other = (FastBindingDataset) Datasets.open("shapes-fastbinding");
    assertEquals(data.size("train"), other.size("train"));
    for (int i = 0; i < 60; i++) {
      assertEquals(data.get("train", i), other.get("train", i));
      assertEquals(data.get("val", i), other.get("val", i));
    }
  }

  @Test
  void everyDialogNamesItsClassesInItsDemonstrationsAndAsksForOneOfThem() {
    Set<Integer> waysSeen = new HashSet<>();
    for (String split : List.of("train", "val", "test")) {
      List<String> pool = spec.namePool(split);
      for (int d = 0; d < 80; d++) {
        List<Sample> dialog = data.dialog(split, d);
        Sample query = dialog.get(dialog.size() - 1);
        assertTrue(query.queryable(), query.id());
        Map<String, Integer> demoNames = new HashMap<>();
        for (Sample s : dialog.subList(0, dialog.size() - 1)) {
          assertFalse(s.queryable(), s.id());
          assertEquals(query.group(), s.group());
          assertEquals("this is a " + s.target() + ".", s.text());
          demoNames.merge(s.target(), 1, Integer::sum);
        }
        int ways = demoNames.size();
        waysSeen.add(ways);
        assertTrue(ways >= 2 && ways <= 5, "ways " + ways);
        assertEquals(ways * spec.shots() + 1, dialog.size());
        for (Map.Entry<String, Integer> e : demoNames.entrySet()) {
          assertEquals(spec.shots(), e.getValue(), "shots of " + e.getKey() + " in " + query.group());
          assertTrue(pool.contains(e.getKey()), e.getKey() + " not in the " + split + " pool");
        }
        assertTrue(demoNames.containsKey(query.target()), query.target() + " not demonstrated");
        assertEquals("what is this? this is a", query.prompt());
        assertEquals(List.of(query.target()), query.answers());
        // Every class of the header appears, named as the header says.
        FastBindingDataset.Header h = data.header(split, d);
        assertEquals(Set.of(h.names()), demoNames.keySet());
        assertEquals(h.queryName(), query.target());
      }
    }
    assertEquals(Set.of(2, 3, 4, 5), waysSeen);
  }

  @Test
  void trainAndEvalDialogsDrawFromDisjointNamePools() {
    Set<String> trainNames = new HashSet<>();
    Set<String> evalNames = new HashSet<>();
    for (int d = 0; d < 200; d++) {
      trainNames.addAll(List.of(data.header("train", d).names()));
      evalNames.addAll(List.of(data.header("val", d).names()));
      evalNames.addAll(List.of(data.header("test", d).names()));
    }
    Set<String> overlap = new HashSet<>(trainNames);
    overlap.retainAll(evalNames);
    assertTrue(overlap.isEmpty(), overlap.toString());
    assertTrue(trainNames.size() > 20 && evalNames.size() > 10);
  }

  @Test
  void oneNameKeepsOneColourAndSharedColourDialogsShowOneColour() {
    int shared = 0;
    int dialogs = 300;
    for (int d = 0; d < dialogs; d++) {
      FastBindingDataset.Header h = data.header("train", d);
      List<Sample> dialog = data.dialog("train", d);
      Map<String, String> colourOfName = new HashMap<>();
      Set<String> colours = new HashSet<>();
      for (Sample s : dialog) {
        String colour = Pixels.dominantColour(s.frames().get(0), spec.colours());
        colours.add(colour);
        String before = colourOfName.putIfAbsent(s.target(), colour);
        assertTrue(before == null || before.equals(colour), s.id() + ": one name, two colours");
      }
      assertEquals(h.ways(), java.util.Arrays.stream(h.classes()).distinct().count());
      if (h.sharedColour()) {
        shared++;
        assertEquals(1, colours.size(), "shared-colour dialog " + d + " shows " + colours);
      }
    }
    // share_colour is 0.5: 300 dialogs give 150 ± 26 (3σ).
    assertTrue(shared > 120 && shared < 180, "shared-colour dialogs: " + shared);
  }

  @Test
  void demonstrationsOfOneClassAreDifferentPictures() {
    List<Sample> dialog = data.dialog("train", 7);
    Set<List<Frame>> pictures = new HashSet<>();
    for (Sample s : dialog) {
      pictures.add(s.frames());
    }
    assertEquals(dialog.size(), pictures.size());
  }

  @Test
  void indexLayoutIsConsistent() {
    int total = 0;
    for (int d = 0; d < data.dialogCount("val"); d++) {
      int size = data.header("val", d).size();
      int[] members = data.groupIndices("val", total);
      assertEquals(size, members.length);
      for (int k = 0; k < size; k++) {
        assertEquals(total + k, members[k]);
        assertEquals(d, data.dialogOf("val", total + k));
        assertEquals(k == size - 1, data.isQueryable("val", total + k));
        assertArrayEquals(members, data.groupIndices("val", total + k));
      }
      total += size;
    }
    assertEquals(total, data.size("val"));
    Set<String> ids = new HashSet<>();
    for (String split : List.of("train", "val", "test")) {
      for (int i = 0; i < 300; i++) {
        assertTrue(ids.add(data.id(split, i)), "duplicate id " + data.id(split, i));
        assertEquals(data.get(split, i).id(), data.id(split, i));
      }
    }
    assertEquals(300, data.dialogCount("val"));
    assertNotEquals(data.get("val", 0).id(), data.get("test", 0).id());
  }

  @Test
  void aQueryCanRepeatTheExactPictureOfADemonstrationOfItsClass() throws Exception {
    String yaml;
    try (java.io.InputStream in = getClass().getResourceAsStream("/dev/mmict/storage/tasks/shapes-fastbinding.yaml")) {
      yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    FastBindingDataset repeat = (FastBindingDataset) Datasets.open(
        Tasks.parse("repeat", yaml + "\nquery_repeats_demo: 1.0\n", "test"));
    for (int d = 0; d < 20; d++) {
      List<Sample> dialog = repeat.dialog("train", d);
      Sample query = dialog.get(dialog.size() - 1);
      assertTrue(query.queryable());
      boolean same = dialog.subList(0, dialog.size() - 1).stream()
          .anyMatch(s -> s.target().equals(query.target()) && s.frames().equals(query.frames()));
      assertTrue(same, "dialog " + d + ": the query repeats a picture of its class");
      List<Sample> fresh = data.dialog("train", d);
      Sample freshQuery = fresh.get(fresh.size() - 1);
      assertFalse(fresh.subList(0, fresh.size() - 1).stream().anyMatch(s -> s.frames().equals(freshQuery.frames())),
          "by default the query is a fresh picture");
    }
  }
}
