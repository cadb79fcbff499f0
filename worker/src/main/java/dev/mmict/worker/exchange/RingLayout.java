package dev.mmict.worker.exchange;

/**
 * How a vector of {@code length} elements is cut for a ring of {@code worldSize} ranks: into
 * {@code worldSize} contiguous segments whose sizes differ by at most one (the first {@code
 * length % worldSize} get the extra element; some are empty when {@code length < worldSize}), and
 * each segment into chunks of at most {@code chunkElements}. Sender and receiver derive the same
 * layout independently, so a chunk's offset and count can be checked.
 */
public record RingLayout(int length, int worldSize, int chunkElements) {

  /** Validates the arguments. */
  public RingLayout {
    if (length < 0 || worldSize < 1 || chunkElements < 1) {
      throw new IllegalArgumentException(
          "ring layout needs length >= 0, worldSize >= 1, chunkElements >= 1; got "
              + length + ", " + worldSize + ", " + chunkElements);
    }
  }

  /** First element of segment {@code segment}. */
  public int segmentOffset(int segment) {
    return segment * (length / worldSize) + Math.min(segment, length % worldSize);
  }

  /** Number of elements of segment {@code segment}. */
  public int segmentLength(int segment) {
    return length / worldSize + (segment < length % worldSize ? 1 : 0);
  }

  /** Number of chunks of segment {@code segment} (0 for an empty segment). */
  public int chunks(int segment) {
    return (segmentLength(segment) + chunkElements - 1) / chunkElements;
  }

  /** First element of chunk {@code chunk} of {@code segment}. */
  public int chunkOffset(int segment, int chunk) {
    return segmentOffset(segment) + chunk * chunkElements;
  }

  /** Number of elements of chunk {@code chunk} of {@code segment}. */
  public int chunkLength(int segment, int chunk) {
    return Math.min(chunkElements, segmentLength(segment) - chunk * chunkElements);
  }
}
