package dev.mmict.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.cli.Operations;
import dev.mmict.ops.cli.RunRequest;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the CLI in-process with captured streams and a recording fake behind the run commands. */
class MainTest {

    private static final List<String> COMMANDS = List.of("demo", "pretrain", "train", "eval", "data", "checkpoints",
            "bench", "sweep", "coordinator", "worker", "status");

    @TempDir
    Path dir;

    /** Records each call; optionally throws instead of working. */
    private static final class FakeOperations implements Operations {
        final List<RunRequest> calls = new ArrayList<>();
        /** Per call: the cluster it asked for, "none" for an in-process run. */
        final List<Object> clusters = new ArrayList<>();
        Exception toThrow;

        private void record(RunRequest request) throws Exception {
            calls.add(request);
            if (toThrow != null) {
                throw toThrow;
            }
        }

        @Override
        public void demo(RunRequest request, dev.mmict.ops.cli.ClusterRequest cluster) throws Exception {
            clusters.add(cluster == null ? "none" : cluster);
            record(request);
        }

        @Override
        public void trainOnCluster(RunRequest request, dev.mmict.ops.cli.ClusterRequest cluster) throws Exception {
            clusters.add(cluster);
            record(request);
        }

        @Override
        public void pretrain(RunRequest request) throws Exception {
            record(request);
        }

        @Override
        public void train(RunRequest request) throws Exception {
            clusters.add("none");
            record(request);
        }

        @Override
        public void eval(RunRequest request) throws Exception {
            record(request);
        }
    }

    private record Result(int code, String out, String err) {
    }

    private final FakeOperations operations = new FakeOperations();

    private Result run(Map<String, String> env, Operations ops, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), env, ops);
        return new Result(code, out.toString(), err.toString());
    }

    private Result run(String... args) {
        return run(Map.of(), operations, args);
    }

    private static long lines(String text) {
        return text.lines().count();
    }

    @Test
    void helpExitsZeroAndListsEverySubcommand() {
        Result result = run("--help");
        assertEquals(ExitCodes.OK, result.code());
        for (String command : COMMANDS) {
            assertTrue(result.out().contains("\n  " + command + " "), command + " missing from:\n" + result.out());
        }
        assertTrue(result.out().contains("Exit codes:"), result.out());
        assertEquals("", result.err());
    }

    @Test
    void everySubcommandHasHelp() {
        for (String command : COMMANDS) {
            Result result = run(command, "--help");
            assertEquals(ExitCodes.OK, result.code(), command);
            assertTrue(result.out().startsWith("Usage: mmict " + command), result.out());
        }
        for (String command : List.of("demo", "pretrain", "train", "eval")) {
            String help = run(command, "--help").out();
            assertTrue(help.contains("Examples:") && help.contains("--set=KEY=VALUE") && help.contains("--dry-run"),
                    help);
        }
    }

    @Test
    void versionIsTheMavenProjectVersion() {
        String expected = System.getProperty("mmict.expected.version");
        assertTrue(expected != null && !expected.isBlank(), "surefire passes mmict.expected.version");
        Result result = run("--version");
        assertEquals(ExitCodes.OK, result.code());
        assertEquals("mmict " + expected, result.out().lines().findFirst().orElse(""));
    }

    @Test
    void badCommandLinesExitTwoWithOneLine() {
        Result option = run("train", "--bogus");
        assertEquals(ExitCodes.USAGE_ERROR, option.code());
        assertEquals(1, lines(option.err()), option.err());
        assertTrue(option.err().contains("'--bogus'"), option.err());
        assertEquals("", option.out());

        Result command = run("trian");
        assertEquals(ExitCodes.USAGE_ERROR, command.code());
        assertTrue(command.err().contains("unknown command 'trian'"), command.err());

        Result missingValue = run("train", "--config");
        assertEquals(ExitCodes.USAGE_ERROR, missingValue.code());

        assertEquals(ExitCodes.USAGE_ERROR, run().code());
        assertTrue(operations.calls.isEmpty());
    }

    @Test
    void statusNeedsACoordinatorAddressAndAClosedPortIsAClusterErrorNamingIt() throws Exception {
        assertEquals(ExitCodes.USAGE_ERROR, run("status").code());
        assertEquals(ExitCodes.USAGE_ERROR, run("status", "--coordinator", "no-port").code());
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // bound, then closed: nothing listens there any more
        }
        Result result = run("status", "--coordinator", "127.0.0.1:" + closed, "--timeout", "2");
        assertEquals(ExitCodes.CLUSTER_ERROR, result.code(), result.err());
        assertTrue(result.err().contains("127.0.0.1:" + closed), result.err());
        assertEquals("", result.out());
    }

    @Test
    void configErrorExitsThreeBeforeAnyWork() throws Exception {
        Path config = dir.resolve("run.yaml");
        Files.writeString(config, "trainer:\n  lrr: 0.1\n");
        Path out = dir.resolve("out");
        Result result = run("train", "--config", config.toString(), "--out", out.toString());
        assertEquals(ExitCodes.CONFIG_ERROR, result.code());
        assertEquals(1, lines(result.err()), result.err());
        assertTrue(result.err().contains(config + ":2:3: trainer.lrr: unknown key"), result.err());
        assertTrue(operations.calls.isEmpty(), "no work may start on a bad config");
        assertFalse(Files.exists(out), "nothing is written on a bad config");

        Result badSet = run("eval", "--set", "data.shots=many", "--out", out.toString());
        assertEquals(ExitCodes.CONFIG_ERROR, badSet.code());
        assertTrue(badSet.err().contains("data.shots"), badSet.err());

        Result missingFile = run("demo", "--config", dir.resolve("absent.yaml").toString());
        assertEquals(ExitCodes.CONFIG_ERROR, missingFile.code());
    }

    @Test
    void dryRunPrintsTheResolvedConfigAndDoesNothing() {
        Path out = dir.resolve("out");
        Result result = run("train", "--set", "trainer.steps=77", "--dry-run", "--out", out.toString());
        assertEquals(ExitCodes.OK, result.code(), result.err());
        RunConfig printed = new ConfigLoader().parse(RunConfig.class, result.out(), "stdout", List.of());
        assertEquals(77, printed.trainer().steps());
        assertEquals(RunConfig.defaults().data(), printed.data());
        assertTrue(operations.calls.isEmpty());
        assertFalse(Files.exists(out));
    }

    @Test
    void runCommandSavesTheConfigAndCallsItsOperation() throws Exception {
        Path out = dir.resolve("run1");
        Path report = dir.resolve("r.json");
        Result result = run("train", "--set", "seed=5", "--out", out.toString(), "--report", report.toString());
        assertEquals(ExitCodes.OK, result.code(), result.err());
        assertEquals(1, operations.calls.size());
        RunRequest request = operations.calls.get(0);
        assertEquals("train", request.command());
        assertEquals(5L, request.config().seed());
        assertEquals(out, request.outDir());
        assertEquals(report, request.report());
        RunConfig saved = new ConfigLoader().load(RunConfig.class, out.resolve("config.yaml"), List.of());
        assertEquals(request.config(), saved);

        Result demo = run("demo", "--out", dir.resolve("d").toString());
        assertEquals(ExitCodes.OK, demo.code(), demo.err());
        assertEquals(Path.of("demo.json"), operations.calls.get(1).report());
        // Both train on a local cluster of 2 worker JVMs unless told otherwise.
        assertEquals(new dev.mmict.ops.cli.ClusterRequest(2, false, null, null, 3600), operations.clusters.get(0));
        assertEquals(new dev.mmict.ops.cli.ClusterRequest(2, false, null, null, 3600), operations.clusters.get(1));
    }

    @Test
    void workersZeroTrainsInThisProcessAndClusterOnlyOptionsNeedACluster() {
        assertEquals(ExitCodes.OK, run("train", "--workers", "0", "--out", dir.resolve("a").toString()).code());
        assertEquals(ExitCodes.OK, run("demo", "--workers", "0", "--out", dir.resolve("b").toString()).code());
        assertEquals(List.of("none", "none"), operations.clusters);
        assertEquals(ExitCodes.OK, run("train", "--workers", "3", "--deterministic", "--max-steps", "7",
                "--out", dir.resolve("c").toString()).code());
        assertEquals(new dev.mmict.ops.cli.ClusterRequest(3, true, 7, null, 3600), operations.clusters.get(2));

        Result det = run("train", "--workers", "0", "--deterministic", "--out", dir.resolve("d").toString());
        assertEquals(ExitCodes.USAGE_ERROR, det.code());
        assertTrue(det.err().contains("--deterministic and --micro-batch-size need a cluster"), det.err());
        Result max = run("train", "--workers", "0", "--max-steps", "3", "--out", dir.resolve("e").toString());
        assertEquals(ExitCodes.USAGE_ERROR, max.code());
        assertTrue(max.err().contains("--max-steps needs a cluster"), max.err());
        Result negative = run("demo", "--workers", "-1", "--out", dir.resolve("f").toString());
        assertEquals(ExitCodes.USAGE_ERROR, negative.code());
        assertTrue(negative.err().contains("--workers must be 0"), negative.err());
        assertEquals(3, operations.calls.size(), "no refused command ran");
    }

    @Test
    void failuresMapToTheirExitCodes() {
        Path out = dir.resolve("o");
        operations.toThrow = CommandFailure.dataError("shard 3 of train.rec: checksum mismatch", null);
        Result data = run("train", "--out", out.toString());
        assertEquals(ExitCodes.DATA_ERROR, data.code());
        assertEquals("mmict train: data error: shard 3 of train.rec: checksum mismatch", data.err().strip());

        operations.toThrow = CommandFailure.clusterError("no workers joined within 60 s", null);
        assertEquals(ExitCodes.CLUSTER_ERROR, run("train", "--out", out.toString()).code());

        operations.toThrow = new InterruptedException("stop");
        assertEquals(ExitCodes.INTERRUPTED, run("eval", "--out", out.toString()).code());

        operations.toThrow = new IllegalStateException("boom");
        Result quiet = run("pretrain", "--out", out.toString());
        assertEquals(ExitCodes.UNEXPECTED_FAILURE, quiet.code());
        assertEquals(1, lines(quiet.err()), quiet.err());
        assertTrue(quiet.err().contains("IllegalStateException: boom"), quiet.err());

        Result verbose = run("pretrain", "--out", out.toString(), "--verbose");
        assertTrue(verbose.err().contains("\tat "), "--verbose prints the stack trace");
        Result debugEnv = run(Map.of("MMICT_DEBUG", "1"), operations, "pretrain", "--out", out.toString());
        assertTrue(debugEnv.err().contains("\tat "), "MMICT_DEBUG=1 prints the stack trace");
    }
}
