package dev.mmict.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader();

    private ExampleRunConfig parse(String yaml, String... sets) {
        return loader.parse(ExampleRunConfig.class, yaml, "run.yaml", List.of(sets));
    }

    private ConfigException failure(String yaml, String... sets) {
        return assertThrows(ConfigException.class, () -> parse(yaml, sets));
    }

    @Test
    void missingKeysTakeTheDefaults() {
        ExampleRunConfig config = parse("trainer:\n  lr: 0.002\n");
        assertEquals(0.002, config.trainer().lr());
        assertEquals(200, config.trainer().steps());
        assertEquals(8, config.trainer().batchSize());
        assertEquals(42L, config.seed());
        assertEquals(new ExampleDataConfig("caption", 2), config.data());
    }

    @Test
    void emptyOrCommentOnlyDocumentsAndEmptySectionsAreAllDefaults() {
        assertEquals(ExampleRunConfig.defaults(), parse(""));
        assertEquals(ExampleRunConfig.defaults(), parse("# nothing set yet\n"));
        assertEquals(ExampleRunConfig.defaults(), parse("trainer:\n  # lr: 0.1\ndata:\n"));
    }

    @Test
    void scalarsAreTypedByTheirComponentNotByYaml() {
        ExampleRunConfig config = parse("seed: 1_000\ntrainer:\n  lr: 3e-4\n  weightDecay: .5\ndata:\n  task: vqa\n");
        assertEquals(1000L, config.seed());
        assertEquals(3e-4, config.trainer().lr());
        assertEquals(0.5, config.trainer().weightDecay());
        assertEquals("vqa", config.data().task());
    }

    @Test
    void unknownKeyNamesItsPathAndLineAndColumn() {
        ConfigException e = failure("seed: 1\ntrainer:\n  lr: 0.001\n  batch_size: 4\n");
        assertEquals("trainer.batch_size", e.keyPath());
        assertEquals(new Origin("run.yaml", 4, 3), e.origin());
        assertTrue(e.getMessage().startsWith("run.yaml:4:3: trainer.batch_size: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'batchSize'?"), e.getMessage());
    }

    @Test
    void unknownTopLevelKeyIsReported() {
        ConfigException e = failure("seed: 1\nepochs: 3\n");
        assertEquals("epochs", e.keyPath());
        assertEquals(2, e.origin().line());
        assertEquals(1, e.origin().column());
    }

    @Test
    void wrongTypesAreReportedWithPathAndLine() {
        ConfigException word = failure("trainer:\n  steps: many\n");
        assertEquals("trainer.steps", word.keyPath());
        assertEquals(2, word.origin().line());
        assertTrue(word.problem().contains("expected an integer, got 'many'"), word.problem());

        ConfigException fraction = failure("trainer:\n  steps: 2.5\n");
        assertEquals("trainer.steps", fraction.keyPath());

        ConfigException tooBig = failure("trainer:\n  steps: 3000000000\n");
        assertTrue(tooBig.problem().contains("between"), tooBig.problem());

        ConfigException scalarForSection = failure("trainer: 5\n");
        assertEquals("trainer", scalarForSection.keyPath());
        assertTrue(scalarForSection.problem().startsWith("expected a section"), scalarForSection.problem());

        ConfigException listForNumber = failure("trainer:\n  lr: [1, 2]\n");
        assertEquals("trainer.lr", listForNumber.keyPath());

        ConfigException nullForPrimitive = failure("seed: ~\n");
        assertEquals("seed", nullForPrimitive.keyPath());
    }

    @Test
    void outOfRangeValuesAreRejected() {
        ConfigException shots = failure("data:\n  shots: 17\n");
        assertEquals("data.shots", shots.keyPath());
        assertEquals(new Origin("run.yaml", 2, 3), shots.origin());
        assertTrue(shots.problem().contains(">= 0 and <= 16"), shots.problem());

        ConfigException zeroLr = failure("trainer:\n  lr: 0\n");
        assertTrue(zeroLr.problem().contains("> 0"), zeroLr.problem());

        ConfigException task = failure("data:\n  task: segmentation\n");
        assertEquals("data.task", task.keyPath());
        assertTrue(task.problem().contains("caption, vqa"), task.problem());

        // Bounds are inclusive: the extremes load.
        assertEquals(16, parse("data:\n  shots: 16\n").data().shots());
        assertEquals(1.0, parse("trainer:\n  lr: 1\n").trainer().lr());
    }

    @Test
    void crossFieldRuleOfACompactConstructorBecomesAConfigError() {
        ConfigException e = failure("trainer:\n  steps: 10\n  warmupSteps: 11\n");
        assertEquals("trainer", e.keyPath());
        assertEquals(1, e.origin().line());
        assertTrue(e.problem().contains("warmupSteps (11) must not exceed steps (10)"), e.problem());
    }

    @Test
    void malformedAndMisshapenDocumentsAreReportedWithTheirLine() {
        ConfigException duplicate = failure("seed: 1\nseed: 2\n");
        assertEquals("seed", duplicate.keyPath());
        assertEquals(2, duplicate.origin().line());

        ConfigException syntax = failure("trainer:\n  lr: [1, 2\nseed: 3\n");
        assertTrue(syntax.problem().startsWith("malformed YAML"), syntax.problem());
        assertTrue(syntax.origin().line() >= 2, syntax.getMessage());

        ConfigException list = failure("- 1\n- 2\n");
        assertTrue(list.problem().contains("mapping"), list.problem());
    }

    @Test
    void setOverridesNestedKeysTypedByTheirField() {
        ExampleRunConfig config = parse("trainer:\n  steps: 100\n",
                "trainer.steps=300", "trainer.lr=5e-4", "seed=7", "data.task=vqa", "trainer.steps=400");
        assertEquals(400, config.trainer().steps(), "the last --set of a key wins");
        assertEquals(5e-4, config.trainer().lr());
        assertEquals(7L, config.seed());
        assertEquals("vqa", config.data().task());
        assertEquals(20, config.trainer().warmupSteps(), "untouched keys keep their defaults");
    }

    @Test
    void setWithAWrongPathNamesIt() {
        ConfigException inSection = failure("", "trainer.lrr=1");
        assertEquals("trainer.lrr", inSection.keyPath());
        assertEquals(Origin.ofOverride("trainer.lrr=1"), inSection.origin());
        assertTrue(inSection.problem().contains("did you mean 'lr'?"), inSection.problem());

        assertEquals("nope", failure("", "nope=1").keyPath());
        assertEquals("seed.deeper", failure("", "seed.deeper=1").keyPath());

        ConfigException section = failure("", "trainer=3");
        assertTrue(section.problem().startsWith("is a section"), section.problem());

        ConfigException noEquals = failure("", "trainer.lr");
        assertTrue(noEquals.problem().contains("key=value"), noEquals.problem());
    }

    @Test
    void setWithABadValueNamesTheArgument() {
        ConfigException word = failure("", "trainer.steps=abc");
        assertEquals("trainer.steps", word.keyPath());
        assertEquals("--set trainer.steps=abc: trainer.steps: expected an integer, got 'abc'", word.getMessage());

        ConfigException range = failure("", "data.shots=-1");
        assertEquals(Origin.ofOverride("data.shots=-1"), range.origin());

        ConfigException crossField = failure("", "trainer.warmupSteps=500");
        assertEquals(Origin.ofOverride("trainer.warmupSteps=500"), crossField.origin());
    }

    @Test
    void dumpedConfigReadsBackEqual() {
        ExampleRunConfig config = new ExampleRunConfig(-3, new ExampleTrainerConfig(1e-10, 12345, 3, 0, 0.125),
                new ExampleDataConfig("video-qa", 0));
        String yaml = loader.toYaml(config);
        assertEquals(config, loader.parse(ExampleRunConfig.class, yaml, "dump", List.of()));
        assertTrue(yaml.indexOf("seed") < yaml.indexOf("trainer") && yaml.indexOf("trainer") < yaml.indexOf("data"),
                "keys keep record component order:\n" + yaml);
        assertEquals(ExampleRunConfig.defaults(), parse(loader.toYaml(ExampleRunConfig.defaults())));
    }

    @Test
    void loadsFilesAndWritesThem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, "data:\n  shots: 5\n");
        ExampleRunConfig config = loader.load(ExampleRunConfig.class, file, List.of("seed=9"));
        assertEquals(5, config.data().shots());
        assertEquals(9L, config.seed());

        Path saved = dir.resolve("out/config.yaml");
        loader.write(config, saved);
        assertEquals(config, loader.load(ExampleRunConfig.class, saved, List.of()));

        assertEquals(ExampleRunConfig.defaults(), loader.load(ExampleRunConfig.class, null, List.of()));

        ConfigException missing = assertThrows(ConfigException.class,
                () -> loader.load(ExampleRunConfig.class, dir.resolve("absent.yaml"), List.of()));
        assertTrue(missing.getMessage().contains("absent.yaml"), missing.getMessage());

        Files.writeString(file, "trainer:\n  lr: fast\n");
        ConfigException located = assertThrows(ConfigException.class,
                () -> loader.load(ExampleRunConfig.class, file, List.of()));
        assertEquals(new Origin(file.toString(), 2, 3), located.origin());
    }

    /** A record tree of another shape: the loader must not care which records it binds. */
    enum Mode { FAST, EXACT }

    record Limits(int workers, @Range(min = 1) double hours) {
    }

    record Sweep(String name, Mode mode, List<Double> lrs, java.util.Map<String, Integer> budget, Path dir,
            Limits limits, String note) {
    }

    @Test
    void bindsOtherRecordTreesWithoutDefaults() {
        String yaml = "name: 1.10\nmode: Exact\nlrs: [1e-4, 0.5]\nbudget: {a: 1, b: 2}\ndir: runs/x\n"
                + "limits:\n  workers: 4\n  hours: 1.5\nnote: ~\n";
        Sweep sweep = loader.parse(Sweep.class, yaml, "sweep.yaml", List.of("budget.c=3", "lrs=[0.25]"));
        assertEquals("1.10", sweep.name());
        assertEquals(Mode.EXACT, sweep.mode());
        assertEquals(List.of(0.25), sweep.lrs());
        assertEquals(java.util.Map.of("a", 1, "b", 2, "c", 3), sweep.budget());
        assertEquals(Path.of("runs/x"), sweep.dir());
        assertEquals(new Limits(4, 1.5), sweep.limits());
        assertNull(sweep.note());
        assertEquals(sweep, loader.parse(Sweep.class, loader.toYaml(sweep), "dump", List.of()));

        ConfigException missing = assertThrows(ConfigException.class,
                () -> loader.parse(Sweep.class, "name: x\n", "sweep.yaml", List.of()));
        assertEquals("mode", missing.keyPath());
        assertTrue(missing.problem().startsWith("missing key"), missing.problem());

        ConfigException badMode = assertThrows(ConfigException.class,
                () -> loader.parse(Sweep.class, yaml.replace("Exact", "slow"), "sweep.yaml", List.of()));
        assertEquals("mode", badMode.keyPath());
        assertTrue(badMode.problem().contains("fast, exact"), badMode.problem());

        ConfigException badElement = assertThrows(ConfigException.class,
                () -> loader.parse(Sweep.class, yaml.replace("0.5]", "big]"), "sweep.yaml", List.of()));
        assertEquals("lrs[1]", badElement.keyPath());
        assertEquals(3, badElement.origin().line());

        ConfigException nested = assertThrows(ConfigException.class,
                () -> loader.parse(Sweep.class, yaml, "sweep.yaml", List.of("limits.hours=0.5")));
        assertEquals("limits.hours", nested.keyPath());
    }
}
