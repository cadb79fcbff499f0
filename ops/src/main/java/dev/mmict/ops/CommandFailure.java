package dev.mmict.ops;

/**
 * An anticipated failure of a command, carrying the exit code it should end the process with;
 * the CLI prints its message as one line. Wrap lower-level exceptions in it where their meaning
 * for the operator is known (a missing dataset file is a data error, not a crash).
 */
public final class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * @param exitCode one of {@link ExitCodes}
     * @param message one line saying what failed and what to check
     * @param cause the underlying exception, or null
     */
    public CommandFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Input data missing, unreadable or corrupt: exit code {@link ExitCodes#DATA_ERROR}. */
    public static CommandFailure dataError(String message, Throwable cause) {
        return new CommandFailure(ExitCodes.DATA_ERROR, message, cause);
    }

    /** The cluster could not do the work: exit code {@link ExitCodes#CLUSTER_ERROR}. */
    public static CommandFailure clusterError(String message, Throwable cause) {
        return new CommandFailure(ExitCodes.CLUSTER_ERROR, message, cause);
    }

    /** The process exit code for this failure. */
    public int exitCode() {
        return exitCode;
    }
}
