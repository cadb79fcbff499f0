package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RingLayoutTest {

  @Test
  void segmentsDifferByAtMostOneAndChunksCoverThem() {
    RingLayout layout = new RingLayout(10, 3, 3);
    assertEquals(0, layout.segmentOffset(0));
    assertEquals(4, layout.segmentLength(0));
    assertEquals(4, layout.segmentOffset(1));
    assertEquals(3, layout.segmentLength(1));
    assertEquals(7, layout.segmentOffset(2));
    assertEquals(3, layout.segmentLength(2));
    assertEquals(2, layout.chunks(0)); // 3 + 1
    assertEquals(3, layout.chunkOffset(0, 1));
    assertEquals(1, layout.chunkLength(0, 1));
    assertEquals(1, layout.chunks(1));
  }

  @Test
  void vectorsShorterThanTheRingLeaveEmptySegments() {
    RingLayout layout = new RingLayout(2, 4, 8);
    assertEquals(1, layout.segmentLength(0));
    assertEquals(1, layout.segmentLength(1));
    assertEquals(0, layout.segmentLength(2));
    assertEquals(0, layout.chunks(3));
    assertEquals(2, layout.segmentOffset(3));
  }
}
