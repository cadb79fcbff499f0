package dev.mmict.ops;

import org.slf4j.MDC;

/**
 * Puts the run id and the node name into the logging context (SLF4J MDC keys {@code run} and
 * {@code node}) of the calling thread, so that every log line of a run says which run and which
 * node wrote it; {@code logback.xml} prints them as {@code [run@node]}. Threads a run starts
 * (pools, actors) do not inherit it: open one there too where their lines matter.
 */
public final class LogContext implements AutoCloseable {

    /** MDC key of the run id. */
    public static final String RUN = "run";
    /** MDC key of the node name. */
    public static final String NODE = "node";

    private final String previousRun;
    private final String previousNode;

    private LogContext(String run, String node) {
        previousRun = MDC.get(RUN);
        previousNode = MDC.get(NODE);
        MDC.put(RUN, run);
        MDC.put(NODE, node);
    }

    /** Sets the run and node of this thread's log lines until {@link #close()}. */
    public static LogContext open(String run, String node) {
        return new LogContext(run, node);
    }

    /** Restores what the thread had before. */
    @Override
    public void close() {
        restore(RUN, previousRun);
        restore(NODE, previousNode);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
