package dev.mmict.ops.progress;

/**
 * Where a long loop (training, evaluation, packing, caching) reports how far it is: a progress
 * bar on a terminal, plain log lines otherwise. Loops call {@link #start} once and
 * {@link Task#update} as they go; the renderer decides how often to draw.
 */
public interface Progress {

  /**
   * Starts reporting one loop.
   *
   * @param label what runs, e.g. {@code "shapes-caption MMICT"}
   * @param total how many units the loop will do (at least 1)
   * @param unit the unit counted, e.g. {@code "steps"}
   */
  default Task start(String label, long total, String unit) {
    return start(label, 0, total, unit);
  }

  /**
   * Starts reporting a loop that resumes after {@code from} of its units were done by an earlier
   * process (rates and ETAs then count only the units done here).
   */
  Task start(String label, long from, long total, String unit);

  /** One loop's progress; close it when the loop ends (normally or not). */
  interface Task extends AutoCloseable {

    /**
     * Reports that {@code done} units of the total are finished.
     *
     * @param status figures worth showing beside the count, e.g. {@code "loss 1.2345 lr 5.00e-04"}; may be empty
     */
    void update(long done, String status);

    /** Ends the loop's display (the bar's last frame, or the log's closing line). */
    @Override
    void close();
  }

  /**
   * The renderer for this process: a bar when it runs on a terminal, log lines when its output is
   * redirected or it runs under a test or a scheduler ({@code System.console() == null}).
   */
  static Progress forConsole() {
    return System.console() == null ? new LogProgress() : new BarProgress();
  }
}
