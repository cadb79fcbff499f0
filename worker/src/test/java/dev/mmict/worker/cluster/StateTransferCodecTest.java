package dev.mmict.worker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mmict.protocol.v1.StateTransferChunk;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The state-transfer wire format: chunking, reassembly in any order, and every corruption caught. */
class StateTransferCodecTest {

  private static ReplicaState state() {
    Random rng = new Random(7);
    float[] w = new float[3 * 50];
    float[] b = new float[50];
    float[] m = new float[3 * 50];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rng.nextGaussian();
      m[i] = (float) rng.nextGaussian() * 1e-3f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = i * 0.25f;
    }
    return new ReplicaState(6,
        List.of(new ReplicaState.Tensor("proj.weight", new long[] {3, 50}, w),
            new ReplicaState.Tensor("proj.bias", new long[] {50}, b)),
        List.of(new ReplicaState.Tensor("proj.weight.exp_avg", new long[] {3, 50}, m)), 7);
  }

  private static ReplicaState assemble(List<StateTransferChunk> chunks) throws StateTransferException {
    StateAssembler a = new StateAssembler(chunks.get(0).getTransferId());
    boolean complete = false;
    for (StateTransferChunk c : chunks) {
      complete = a.accept(c);
    }
    assertTrue(complete, "every chunk was given");
    return a.result();
  }

  @Test
  void chunksOfAtMostTheGivenSizeReassembleInAnyOrderToTheSameState() throws Exception {
    ReplicaState s = state();
    List<StateTransferChunk> chunks = new ArrayList<>(StateTransferCodec.encode("t-1", s, 256));
    // 600 bytes of weight -> 3 chunks, 200 of bias -> 1, 600 of moments -> 3, the step counter -> 1
    assertEquals(8, chunks.size());
    assertTrue(chunks.stream().allMatch(c -> c.getData().size() <= 256 && c.getTensorCount() == 4));
    assertEquals(List.of(0L, 256L, 512L), chunks.subList(0, 3).stream().map(c -> c.getByteOffset()).toList());
    Collections.shuffle(chunks, new Random(3));
    chunks.add(chunks.get(0)); // a resent chunk changes nothing
    ReplicaState back = assemble(chunks);
    assertEquals(6, back.afterStep());
    assertEquals(7, back.optimizerStep());
    assertEquals(List.of("proj.weight", "proj.bias"), back.parameters().stream().map(ReplicaState.Tensor::name).toList());
    assertArrayEquals(new long[] {3, 50}, back.parameters().get(0).shape());
    for (int t = 0; t < 2; t++) {
      assertArrayEquals(s.parameters().get(t).values(), back.parameters().get(t).values());
    }
    assertEquals("proj.weight.exp_avg", back.optimizer().get(0).name());
    assertArrayEquals(s.optimizer().get(0).values(), back.optimizer().get(0).values());
  }

  @Test
  void aFlippedByteFailsItsCrcAndNamesTheTensor() {
    List<StateTransferChunk> chunks = StateTransferCodec.encode("t-2", state(), 256);
    byte[] data = chunks.get(4).getData().toByteArray();
    data[10] ^= 0x01;
    StateTransferChunk bad = chunks.get(4).toBuilder().setData(ByteString.copyFrom(data)).build();
    StateAssembler a = new StateAssembler("t-2");
    StateTransferException e = assertThrows(StateTransferException.class, () -> a.accept(bad));
    assertTrue(e.getMessage().contains("CRC-32C") && e.getMessage().contains("proj.weight.exp_avg"), e.getMessage());
  }

  @Test
  void dataChangedWithAMatchingCrcIsCaughtByTheStateDigest() throws Exception {
    List<StateTransferChunk> chunks = new ArrayList<>(StateTransferCodec.encode("t-3", state(), 256));
    byte[] data = chunks.get(3).getData().toByteArray();
    data[0] ^= 0x40;
    ByteString forged = ByteString.copyFrom(data);
    chunks.set(3, chunks.get(3).toBuilder().setData(forged).setCrc32C(StateTransferCodec.crc32c(forged)).build());
    StateAssembler a = new StateAssembler("t-3");
    for (StateTransferChunk c : chunks) {
      a.accept(c);
    }
    StateTransferException e = assertThrows(StateTransferException.class, a::result);
    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
  }

  @Test
  void aMissingChunkLeavesTheTransferIncompleteAndAnOversizedOneIsRefused() throws Exception {
    List<StateTransferChunk> chunks = StateTransferCodec.encode("t-4", state(), 256);
    StateAssembler a = new StateAssembler("t-4");
    for (StateTransferChunk c : chunks.subList(1, chunks.size())) {
      assertFalse(a.accept(c));
    }
    StateTransferException incomplete = assertThrows(StateTransferException.class, a::result);
    assertTrue(incomplete.getMessage().contains("incomplete"), incomplete.getMessage());

    ByteString longer = ByteString.copyFrom(new byte[300]);
    StateTransferChunk oversized = chunks.get(2).toBuilder().setData(longer)
        .setCrc32C(StateTransferCodec.crc32c(longer)).build();
    StateTransferException e = assertThrows(StateTransferException.class, () -> new StateAssembler("t-4")
        .accept(oversized));
    assertTrue(e.getMessage().contains("of a tensor of 600 bytes"), e.getMessage());
    StateTransferException other = assertThrows(StateTransferException.class,
        () -> new StateAssembler("t-5").accept(chunks.get(0)));
    assertTrue(other.getMessage().contains("belongs to transfer 't-4'"), other.getMessage());
  }
}
