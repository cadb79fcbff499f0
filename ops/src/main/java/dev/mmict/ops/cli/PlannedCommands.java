package dev.mmict.ops.cli;

import dev.mmict.ops.ExitCodes;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * Subcommands that are planned but not built yet. Each is listed in the help so operators see
 * the whole interface; running one prints "not yet available" and exits 2. Replace a nested class
 * with a real command when its work lands.
 */
final class PlannedCommands {

    private PlannedCommands() {
    }

    /** Every planned command, in help order. */
    static List<Object> all() {
        return List.of(new Status());
    }

    /** Common behaviour: accept any arguments, say it is not available, exit 2. */
    abstract static class Planned implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Unmatched
        List<String> ignored;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": not yet available (planned; see docs/cli.md)");
            return ExitCodes.USAGE_ERROR;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "(planned) Show a running cluster's members, step, throughput and health.")
    static final class Status extends Planned {
    }
}
