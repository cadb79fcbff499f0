package dev.mmict.coordinator.plan;

/**
 * Where the run stands in its data: the next query to train is at {@code position} of epoch
 * {@code epoch}'s order. Saved in checkpoints; {@link StepPlanner#stepAt(DataCursor)} checks a
 * restored cursor against the step it was saved with.
 *
 * @param epoch 0-based epoch
 * @param position 0-based index into that epoch's query order
 */
public record DataCursor(long epoch, int position) {

  /** Checks that both are non-negative. */
  public DataCursor {
    if (epoch < 0 || position < 0) {
      throw new IllegalArgumentException(
          "data cursor must be non-negative, got epoch " + epoch + " position " + position);
    }
  }

  /** The start of the run. */
  public static final DataCursor START = new DataCursor(0, 0);

  /** "epoch:position", the form {@link #parse(String)} reads (for manifests and logs). */
  @Override
  public String toString() {
    return epoch + ":" + position;
  }

  /** Reads "epoch:position", as written by {@link #toString()}. */
  public static DataCursor parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("data cursor '" + text + "' is not epoch:position");
    }
    try {
      return new DataCursor(
          Long.parseLong(text.substring(0, colon).trim()),
          Integer.parseInt(text.substring(colon + 1).trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("data cursor '" + text + "' is not epoch:position", e);
    }
  }
}
