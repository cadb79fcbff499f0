package dev.mmict.ops.cli;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.ConfigException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.channels.ClosedByInterruptException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one line on stderr and the matching {@link ExitCodes exit code}:
 * bad command lines (2), configuration errors (3), {@link CommandFailure}s (their own code),
 * interrupts (130) and anything else (1). Stack traces only with {@code --verbose} or
 * {@code MMICT_DEBUG=1}.
 */
final class FailureHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    private final Map<String, String> env;

    FailureHandler(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + describe(ex, command) + " (see '" + name + " --help')");
        if (debugFromEnv() || Arrays.asList(args).contains(VerboseOption.NAME)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.USAGE_ERROR;
    }

    /** Picocli's message, except that a stray word where a command belongs is called an unknown command. */
    private static String describe(ParameterException ex, CommandLine command) {
        if (ex instanceof UnmatchedArgumentException unmatched && !command.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            List<String> suggestions = unmatched.getSuggestions();
            return "unknown command '" + unmatched.getUnmatched().get(0) + "'"
                    + (suggestions.isEmpty() ? "" : " (did you mean " + String.join(" or ", suggestions) + "?)");
        }
        return ex.getMessage();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        Throwable failure = unwrap(ex);
        int code = exitCodeFor(failure);
        boolean verbose = debugFromEnv() || verboseRequested(parseResult);
        PrintWriter err = command.getErr();
        String message = switch (code) {
            case ExitCodes.UNEXPECTED_FAILURE -> failure.toString()
                    + (verbose ? "" : " (rerun with --verbose for the stack trace)");
            case ExitCodes.INTERRUPTED -> "stopped before finishing";
            default -> String.valueOf(failure.getMessage());
        };
        err.println(command.getCommandSpec().qualifiedName() + ": " + ExitCodes.label(code) + ": " + message);
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** The exit code a failure (already unwrapped) ends the process with. */
    static int exitCodeFor(Throwable failure) {
        if (failure instanceof CommandFailure commandFailure) {
            return commandFailure.exitCode();
        }
        if (failure instanceof ConfigException) {
            return ExitCodes.CONFIG_ERROR;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
                return ExitCodes.INTERRUPTED;
            }
        }
        return ExitCodes.UNEXPECTED_FAILURE;
    }

    /** Strips wrappers that only say "it happened on another thread / via reflection". */
    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException
                || current instanceof InvocationTargetException || current instanceof UndeclaredThrowableException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private boolean debugFromEnv() {
        String value = env.getOrDefault("MMICT_DEBUG", "");
        return value.equals("1") || value.equalsIgnoreCase("true");
    }

    private static boolean verboseRequested(ParseResult parseResult) {
        for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption(VerboseOption.NAME)) {
                return true;
            }
        }
        return false;
    }
}
