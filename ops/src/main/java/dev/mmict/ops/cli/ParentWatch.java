package dev.mmict.ops.cli;

import dev.mmict.ops.ExitCodes;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends this JVM when the process that started it ends, so that a child (a sweep's trial) never
 * outlives its parent and never races a restarted parent's new child on the same directory.
 * Checkpoint and state files are written atomically, so stopping at any moment is safe.
 */
final class ParentWatch {

    private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);

    private ParentWatch() {
    }

    /** Halts this JVM with exit code 130 once process {@code pid} is gone (at once if it is already). */
    static void exitWhenGone(long pid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            halt(pid);
        }
        parent.get().onExit().thenRun(() -> halt(pid));
    }

    private static void halt(long pid) {
        LOG.error("the parent process {} ended: stopping this one", pid);
        Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
    }
}
