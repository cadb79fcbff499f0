package dev.mmict.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.protocol.v1.PlanShape;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointException;
import dev.mmict.storage.checkpoint.CheckpointState;
import dev.mmict.storage.checkpoint.CheckpointStore;
import dev.mmict.storage.checkpoint.RetentionPolicy;
import dev.mmict.worker.train.TrainCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster checkpoint's manifest and tensors round-trip, and each trainer tells the other's apart. */
class ClusterCheckpointsTest {

  @TempDir
  Path dir;

  private static final byte[] SHA = new byte[32];

  static {
    for (int i = 0; i < SHA.length; i++) {
      SHA[i] = (byte) (i * 7);
    }
  }

  private static ReplicaState state(long afterStep) {
    return new ReplicaState(afterStep,
        List.of(new ReplicaState.Tensor("query_tokens", new long[] {1, 2, 2}, new float[] {1f, -2f, 0.5f, 3f}),
            new ReplicaState.Tensor("opt_proj.bias", new long[] {3}, new float[] {0.25f, 0f, -1f})),
        List.of(new ReplicaState.Tensor("query_tokens.exp_avg", new long[] {1, 2, 2}, new float[] {1e-3f, 0, 0, 2}),
            new ReplicaState.Tensor("opt_proj.bias.exp_avg", new long[] {3}, new float[] {4, 5, 6}),
            new ReplicaState.Tensor("query_tokens.exp_avg_sq", new long[] {1, 2, 2}, new float[] {1, 1, 1, 1}),
            new ReplicaState.Tensor("opt_proj.bias.exp_avg_sq", new long[] {3}, new float[] {7, 8, 9})),
        afterStep + 1);
  }

  private CheckpointRequest request(long stepsDone, int keep) {
    return CheckpointRequest.newBuilder()
        .setCheckpointId("c" + stepsDone)
        .setStepsDone(stepsDone)
        .setEpoch(1)
        .setPositionInEpoch(16)
        .setParameterSha256(ByteString.copyFrom(SHA))
        .setDirectory(dir.resolve("ck").toString())
        .setKeep(keep)
        .setPlan(PlanShape.newBuilder().setSeed(42).setGlobalBatchSize(8).setMicroBatchSize(2).setShots(2)
            .setStrategy("RANDOM"))
        .setFinal(false)
        .build();
  }

  @Test
  void aWrittenCheckpointVerifiesAndReadsBackItsCursorAndState() throws Exception {
    ClusterCheckpoints.Metadata meta = new ClusterCheckpoints.Metadata("seed: 42\n", "fp".repeat(32));
    Checkpoint written = ClusterCheckpoints.write(state(2), request(3, 2), meta);
    assertEquals(dir.resolve("ck").resolve("step-00000003"), written.dir());
    CheckpointStore store = new CheckpointStore(dir.resolve("ck"), RetentionPolicy.lastN(2));
    Checkpoint cp = store.latestValid("fp".repeat(32)).checkpoint().orElseThrow();
    assertTrue(ClusterCheckpoints.isCluster(cp.manifest()));
    assertEquals(3, cp.step());
    assertEquals(1, cp.manifest().epoch());
    assertEquals("seed: 42\n", cp.manifest().config());
    ClusterCheckpoints.Cursor c = ClusterCheckpoints.cursor(cp);
    assertEquals(new ClusterCheckpoints.Cursor(3, 1, 16, 42, 8, 2, 2, "RANDOM",
        java.util.HexFormat.of().formatHex(SHA)), c);
    ReplicaState back = ClusterCheckpoints.load(cp, List.of("query_tokens", "opt_proj.bias"));
    ReplicaState original = state(2);
    assertEquals(2, back.afterStep());
    assertEquals(3, back.optimizerStep());
    for (int i = 0; i < 2; i++) {
      assertEquals(original.parameters().get(i).name(), back.parameters().get(i).name());
      assertArrayEquals(original.parameters().get(i).shape(), back.parameters().get(i).shape());
      assertArrayEquals(original.parameters().get(i).values(), back.parameters().get(i).values());
    }
    Map<String, float[]> moments = new java.util.TreeMap<>();
    back.optimizer().forEach(t -> moments.put(t.name(), t.values()));
    assertEquals(4, moments.size());
    assertArrayEquals(new float[] {7, 8, 9}, moments.get("opt_proj.bias.exp_avg_sq"));
    assertEquals("cluster", dev.mmict.hub.io.Safetensors.read(cp.file(TrainCheckpoints.PARAMETERS)).metadata()
        .get("mmict.trainer"));
    // The order asked for is the replica's, whatever the file's.
    assertEquals(List.of("opt_proj.bias", "query_tokens"),
        ClusterCheckpoints.load(cp, List.of("opt_proj.bias", "query_tokens")).parameters().stream()
            .map(ReplicaState.Tensor::name).toList());
    // Another replica's parameters are refused, naming the file.
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> ClusterCheckpoints.load(cp, List.of("query_tokens", "mhub.other")));
    assertTrue(e.getMessage().contains(TrainCheckpoints.PARAMETERS), e.getMessage());
  }

  @Test
  void retentionKeepsTheNewestAndAMismatchedStateIsRefused() throws Exception {
    ClusterCheckpoints.Metadata meta = new ClusterCheckpoints.Metadata("", "fp");
    for (long done = 1; done <= 3; done++) {
      ClusterCheckpoints.write(state(done - 1), request(done, 2), meta);
    }
    assertEquals(List.of("step-00000002", "step-00000003"), Files.list(dir.resolve("ck"))
        .map(p -> p.getFileName().toString()).sorted().toList());
    assertThrows(IllegalArgumentException.class, () -> ClusterCheckpoints.write(state(5), request(4, 2), meta));
  }

  @Test
  void aSingleProcessCheckpointIsNotTakenForAClusterOne() throws Exception {
    CheckpointStore store = new CheckpointStore(dir.resolve("single"), RetentionPolicy.lastN(1));
    var cursor = JsonNodeFactory.instance.objectNode().put("next_step", 3);
    var empty = JsonNodeFactory.instance.objectNode();
    Checkpoint cp = store.write(new CheckpointState(3, 0, cursor, empty, empty, "", "fp", Map.of()),
        Map.of("x.bin", target -> Files.write(target, new byte[] {1})));
    assertFalse(ClusterCheckpoints.isCluster(cp.manifest()));
    CheckpointException e = assertThrows(CheckpointException.class, () -> ClusterCheckpoints.cursor(cp));
    assertTrue(e.getMessage().contains("single-process"), e.getMessage());
  }
}
