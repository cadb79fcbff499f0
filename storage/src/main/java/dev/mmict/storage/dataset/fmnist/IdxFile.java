package dev.mmict.storage.dataset.fmnist;

import java.util.Arrays;

/**
 * The content of an unsigned-byte IDX file: its dimensions (e.g. [60000, 28, 28] for images,
 * [60000] for labels) and the values in row-major order.
 *
 * @param dims the sizes of the dimensions, outermost first
 * @param data the values, row-major, as unsigned bytes
 */
public record IdxFile(int[] dims, byte[] data) {

  /** The number of items (the first dimension). */
  public int count() {
    return dims[0];
  }

  /** The number of values per item (the product of the other dimensions). */
  public int itemSize() {
    int n = 1;
    for (int i = 1; i < dims.length; i++) {
      n *= dims[i];
    }
    return n;
  }

  /** Value {@code i} as an unsigned int. */
  public int unsigned(int i) {
    return data[i] & 0xFF;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdxFile f && Arrays.equals(f.dims, dims) && Arrays.equals(f.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IdxFile" + Arrays.toString(dims);
  }
}
