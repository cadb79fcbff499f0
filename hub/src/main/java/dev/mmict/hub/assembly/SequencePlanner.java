package dev.mmict.hub.assembly;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns dialogs into a {@link SequencePlan} for one of the three modes of MMICT.md.
 *
 * <ul>
 *   <li>MMICT: {@code [VGT(d1), EOC, …, VGT(dK), EOC, TGV(q), embed(prompt)] + target}
 *   <li>VanillaICT: {@code [TGV0(d1), embed(text1), EOC, …, TGV0(q), embed(prompt)] + target},
 *       TGV0 being the queries-only Q-Former
 *   <li>VanillaFT: {@code [TGV(q), embed(prompt)] + target}
 * </ul>
 *
 * Training plans are right-padded and label the target tokens (the loss sits on them alone);
 * generation plans stop after the prompt and are left-padded, so every row's next token comes
 * at the same position.
 */
public final class SequencePlanner {
  private final int numQueryTokens;
  private final int padId;
  private final boolean vgtPadded;

  /**
   * @param numQueryTokens Q
   * @param padId the LLM's padding token
   * @param vgtPadded feed every padded VGT row of a demonstration (the release's behaviour)
   *     instead of only the rows of its real text tokens (our default)
   */
  public SequencePlanner(int numQueryTokens, int padId, boolean vgtPadded) {
    this.numQueryTokens = numQueryTokens;
    this.padId = padId;
    this.vgtPadded = vgtPadded;
  }

  /** A plan for teacher-forced training: right-padded, labels on the query's target tokens. */
  public SequencePlan forTraining(List<Dialog> dialogs, Mode mode) {
    return plan(dialogs, mode, false, false);
  }

  /**
   * A training plan for interleaved pretraining (as Flamingo trains): in the VanillaICT format the
   * demonstrations' raw text tokens are labelled too, so a name that a dialog repeats teaches the
   * LLM to copy from its context. The MMICT format feeds no demonstration tokens, so it is
   * labelled as {@link #forTraining}.
   */
  public SequencePlan forInterleavedTraining(List<Dialog> dialogs, Mode mode) {
    return plan(dialogs, mode, false, true);
  }

  /** A plan for generation: everything up to the prompt, left-padded, no labels. */
  public SequencePlan forGeneration(List<Dialog> dialogs, Mode mode) {
    return plan(dialogs, mode, true, false);
  }

  private SequencePlan plan(List<Dialog> dialogs, Mode mode, boolean generation, boolean labelDemoText) {
    if (dialogs.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one dialog");
    }
    int q = numQueryTokens;
    List<Visual> visuals = new ArrayList<>();
    List<int[]> texts = new ArrayList<>();
    int[] queryItem = new int[dialogs.size()];
    int[][] demoItems = new int[dialogs.size()][];
    for (int b = 0; b < dialogs.size(); b++) {
      Dialog d = dialogs.get(b);
      List<Dialog.Demo> demos = mode == Mode.VANILLA_FT ? List.of() : d.demos();
      demoItems[b] = new int[demos.size()];
      for (int k = 0; k < demos.size(); k++) {
        demoItems[b][k] = visuals.size();
        visuals.add(demos.get(k).visual());
        texts.add(mode == Mode.MMICT ? demos.get(k).textIds() : new int[0]);
      }
      queryItem[b] = visuals.size();
      visuals.add(d.query().visual());
      texts.add(mode.mhubSeesText() ? d.query().promptIds() : new int[0]);
    }
    int textLen = texts.stream().mapToInt(t -> t.length).max().orElse(0);
    int rowsPerItem = q + textLen;
    int eocRow = visuals.size() * rowsPerItem;
    int tableOffset = eocRow + 1;

    // Each dialog's sequence as pool rows, with the label of each position.
    List<long[]> rows = new ArrayList<>();
    List<long[]> labels = new ArrayList<>();
    for (int b = 0; b < dialogs.size(); b++) {
      Dialog d = dialogs.get(b);
      Seq s = new Seq();
      for (int k = 0; k < demoItems[b].length; k++) {
        int item = demoItems[b][k];
        int[] text = d.demos().get(k).textIds();
        if (mode == Mode.MMICT) {
          int n = vgtPadded ? textLen : text.length;
          for (int j = 0; j < n; j++) {
            s.add(item * (long) rowsPerItem + q + j, SequencePlan.IGNORE); // VGT row
          }
        } else {
          for (int r = 0; r < q; r++) {
            s.add(item * (long) rowsPerItem + r, SequencePlan.IGNORE); // queries-only row
          }
          for (int j = 0; j < text.length; j++) {
            // Raw caption token; predicted from the position before when interleaved (not the first,
            // whose predecessor is an image row).
            long label = labelDemoText && j > 0 ? text[j] : SequencePlan.IGNORE;
            s.add(tableOffset + (long) text[j], label);
          }
        }
        s.add(eocRow, SequencePlan.IGNORE);
      }
      for (int r = 0; r < q; r++) {
        s.add(queryItem[b] * (long) rowsPerItem + r, SequencePlan.IGNORE); // TGV row
      }
      for (int t : d.query().promptIds()) {
        s.add(tableOffset + (long) t, SequencePlan.IGNORE);
      }
      if (!generation) {
        int[] target = d.query().targetIds();
        if (target.length == 0) {
          throw new IllegalArgumentException("dialog " + b + " has no target tokens to train on");
        }
        for (int t : target) {
          s.add(tableOffset + (long) t, t); // predicted from the position before
        }
      }
      rows.add(s.rows());
      labels.add(s.labels());
    }

    int length = rows.stream().mapToInt(r -> r.length).max().orElseThrow();
    int batch = dialogs.size();
    long[] source = new long[batch * length];
    int[] mask = new int[batch * length];
    long[] lab = new long[batch * length];
    Arrays.fill(source, tableOffset + (long) padId);
    Arrays.fill(lab, SequencePlan.IGNORE);
    for (int b = 0; b < batch; b++) {
      long[] r = rows.get(b);
      int start = b * length + (generation ? length - r.length : 0);
      System.arraycopy(r, 0, source, start, r.length);
      System.arraycopy(labels.get(b), 0, lab, start, r.length);
      Arrays.fill(mask, start, start + r.length, 1);
    }
    return new SequencePlan(List.copyOf(visuals), texts.toArray(new int[0][]), textLen,
        rowsPerItem, eocRow, tableOffset, batch, length, source, mask, lab, queryItem, demoItems);
  }

  /** A growing sequence of pool rows and their labels. */
  private static final class Seq {
    private long[] rows = new long[64];
    private long[] labels = new long[64];
    private int n;

    void add(long row, long label) {
      if (n == rows.length) {
        rows = Arrays.copyOf(rows, n * 2);
        labels = Arrays.copyOf(labels, n * 2);
      }
      rows[n] = row;
      labels[n++] = label;
    }

    long[] rows() {
      return Arrays.copyOf(rows, n);
    }

    long[] labels() {
      return Arrays.copyOf(labels, n);
    }
  }
}
