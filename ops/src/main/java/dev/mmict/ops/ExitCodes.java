package dev.mmict.ops;

/**
 * The process exit codes of the {@code mmict} CLI, one per kind of failure, so that scripts and
 * schedulers can tell a bad config (fix the file) from a dead cluster (retry). Documented in
 * {@code docs/cli.md}.
 */
public final class ExitCodes {

    /** The command did what it was asked. */
    public static final int OK = 0;
    /** A failure nobody anticipated: a bug or an environment problem; rerun with --verbose. */
    public static final int UNEXPECTED_FAILURE = 1;
    /** Bad command line: unknown command or option, missing or malformed option value. */
    public static final int USAGE_ERROR = 2;
    /** The configuration is unreadable or invalid (unknown key, wrong type, out of range). */
    public static final int CONFIG_ERROR = 3;
    /** Input data is missing, unreadable or corrupt (dataset files, records, checkpoints). */
    public static final int DATA_ERROR = 4;
    /** The cluster failed: no workers, lost quorum, replicas disagree, coordinator unreachable. */
    public static final int CLUSTER_ERROR = 5;
    /** Stopped by SIGINT (Ctrl-C) or an interrupt: 128 + signal 2, as shells report it. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }

    /** A short name for an exit code, as printed before the error message. */
    public static String label(int code) {
        return switch (code) {
            case OK -> "ok";
            case USAGE_ERROR -> "usage error";
            case CONFIG_ERROR -> "config error";
            case DATA_ERROR -> "data error";
            case CLUSTER_ERROR -> "cluster error";
            case INTERRUPTED -> "interrupted";
            default -> "error";
        };
    }
}
