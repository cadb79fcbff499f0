package dev.mmict.ops;

import dev.mmict.ops.run.LocalOperations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** Test helper: runs the {@code mmict} CLI in this JVM on the real operations, output captured. */
public final class Cli {
  private Cli() { }

  /** A finished command: its exit code, its stdout and its stderr. */
  public record Result(int code, String out, String err) { }

  /** Runs {@code args} as {@code mmict} would, with no environment variables. */
  public static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    int code = Main.run(args, o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs {@code args} on the real operations, telling {@code observer} of every training step. */
  public static Result run(List<String> args, dev.mmict.ops.run.RunObserver observer) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    int code = Main.run(args.toArray(String[]::new), o, new PrintWriter(err, true), Map.of(),
        new LocalOperations(o, dev.mmict.ops.progress.Progress.forConsole(), observer));
    return new Result(code, out.toString(), err.toString());
  }

  /** {@link #run(String...)} for a built-up argument list. */
  public static Result run(List<String> args) {
    return run(args.toArray(String[]::new));
  }
}
