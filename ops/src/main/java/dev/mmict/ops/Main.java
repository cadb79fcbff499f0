package dev.mmict.ops;

import dev.mmict.ops.cli.MmictCommand;
import dev.mmict.ops.cli.Operations;
import dev.mmict.ops.run.LocalOperations;
import java.io.PrintWriter;
import java.util.Map;

/** Entry point of the {@code mmict} command (see {@code docs/cli.md}); the launcher runs this class. */
public final class Main {

    private Main() {
    }

    /** Runs the command line and exits with its {@link ExitCodes exit code}. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        Operations operations = new LocalOperations(out);
        int code = run(args, out, err, System.getenv(), operations);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Parses and runs one command line in-process (the tests call this), printing results to
     * {@code out} and diagnostics to {@code err}.
     *
     * @param env environment variables ({@code MMICT_DEBUG=1} turns on stack traces)
     * @param operations the implementation the run commands call
     * @return the exit code, one of {@link ExitCodes}
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env,
            Operations operations) {
        return MmictCommand.commandLine(operations, out, err, env).execute(args);
    }
}
