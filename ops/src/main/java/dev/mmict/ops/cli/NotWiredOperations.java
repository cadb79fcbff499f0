package dev.mmict.ops.cli;

/**
 * Stand-in {@link Operations} until the real implementation is wired into
 * {@link dev.mmict.ops.Main}: every method fails with "not wired yet".
 */
public final class NotWiredOperations implements Operations {

    @Override
    public void demo(RunRequest request) {
        throw notWired("demo");
    }

    @Override
    public void pretrain(RunRequest request) {
        throw notWired("pretrain");
    }

    @Override
    public void train(RunRequest request) {
        throw notWired("train");
    }

    @Override
    public void eval(RunRequest request) {
        throw notWired("eval");
    }

    private static UnsupportedOperationException notWired(String command) {
        return new UnsupportedOperationException("not wired yet: '" + command
                + "' has no implementation behind it (dev.mmict.ops.Main uses NotWiredOperations)");
    }
}
