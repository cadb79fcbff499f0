package dev.mmict.hub.assembly;

import java.util.List;

/**
 * How to build the LLM's input for a batch of dialogs with one gather, computed in plain Java.
 *
 * <p>The model first runs the M-Hub once over every item of the batch ({@link #visuals} with
 * {@link #mhubText}, padded to {@link #textLen}) and projects the result to the LLM width. It
 * then concatenates a <em>pool</em> of rows:
 *
 * <pre>
 *   rows [0, eocRow)                  projected M-Hub rows: item i, row r at i·rowsPerItem + r
 *   row  eocRow                       the EOC embedding
 *   rows [tableOffset, +vocab)        the LLM's token embedding table
 * </pre>
 *
 * and gathers {@link #source} from it to get the LLM input [B, N, H]. Keeping the assembly a
 * list of row indices makes it testable without tensors and costs one op instead of one per
 * segment.
 *
 * @param visuals every item's pixels, dialog-major (demonstrations then query)
 * @param mhubText the text each item shows the M-Hub (empty when it runs on queries alone)
 * @param textLen the padded M-Hub text length T (0 when no item has text)
 * @param rowsPerItem Q + T
 * @param eocRow the pool row of the EOC embedding
 * @param tableOffset the pool row of token id 0
 * @param batch B
 * @param length N, the padded sequence length
 * @param source [B·N] pool row per position
 * @param mask [B·N] 1 for real positions, 0 for padding
 * @param labels [B·N] the token to predict at that position (-100: no loss there)
 * @param queryItem per dialog, the item index of its query
 * @param demoItems per dialog, the item indices of its demonstrations
 */
public record SequencePlan(
    List<Visual> visuals,
    int[][] mhubText,
    int textLen,
    int rowsPerItem,
    int eocRow,
    int tableOffset,
    int batch,
    int length,
    long[] source,
    int[] mask,
    long[] labels,
    int[] queryItem,
    int[][] demoItems) {

  /** The label value that carries no loss. */
  public static final long IGNORE = -100;

  /** Number of items the M-Hub runs over. */
  public int items() {
    return visuals.size();
  }

  /** Number of positions that carry a loss. */
  public int targetCount() {
    int n = 0;
    for (long l : labels) {
      if (l != IGNORE) {
        n++;
      }
    }
    return n;
  }
}
