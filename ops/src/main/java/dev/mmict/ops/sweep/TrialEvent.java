package dev.mmict.ops.sweep;

import java.util.Locale;

/**
 * One thing that happened to a trial during a sweep, as logged (one line each), appended to the
 * sweep's journal ({@code events.jsonl}) and told to a {@link SweepRunner.Listener}.
 *
 * @param trial the trial id
 * @param kind what happened
 * @param step steps the trial had done when it happened (for STARTED: the step it continues from)
 * @param toStep for STARTED, the step the process trains to; otherwise equal to {@code step}
 * @param metric the objective metric measured at {@code step} (PROMOTED, STOPPED, COMPLETED), else null
 * @param pid the trial process (STARTED, DIED), else 0
 * @param exitCode the process exit code (DIED, FAILED), else null
 * @param detail free text: the decision's cutoff, a failure's reason, the log file
 */
public record TrialEvent(String trial, Kind kind, long step, long toStep, Double metric, long pid, Integer exitCode,
        String detail) {

    /** The kinds of trial events. */
    public enum Kind {
        /** A trial process started (a new trial, the next rung of a promoted one, or a restart). */
        STARTED,
        /** The objective at a rung was good enough: the trial continues to the next rung. */
        PROMOTED,
        /** ASHA stopped the trial at a rung. */
        STOPPED,
        /** The trial reached {@code maxT} (or its last step) and was evaluated there. */
        COMPLETED,
        /** The trial process ended abnormally (killed, crashed); it is restarted from its latest checkpoint. */
        DIED,
        /** The trial ended by an error that restarting does not fix, or restarts ran out. */
        FAILED
    }

    /** The event as one human-readable log line. */
    public String line(String metricName) {
        String m = metric == null ? "" : " " + metricName + " " + String.format(Locale.ROOT, "%.6g", metric);
        String d = detail == null || detail.isEmpty() ? "" : " (" + detail + ")";
        return switch (kind) {
            case STARTED -> trial + " started: steps " + step + " -> " + toStep + ", process " + pid + d;
            case PROMOTED -> trial + " step " + step + ":" + m + " -> continues" + d;
            case STOPPED -> trial + " step " + step + ":" + m + " -> stopped early" + d;
            case COMPLETED -> trial + " completed at step " + step + ":" + m + d;
            case DIED -> trial + " process " + pid + " died (exit " + exitCode + ") at or after step " + step + d;
            case FAILED -> trial + " failed" + (exitCode == null ? "" : " (exit " + exitCode + ")") + d;
        };
    }
}
