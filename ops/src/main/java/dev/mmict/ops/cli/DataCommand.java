package dev.mmict.ops.cli;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.progress.Progress;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.Datasets;
import dev.mmict.storage.records.DatasetInspector;
import dev.mmict.storage.records.Manifest;
import dev.mmict.storage.records.PackOptions;
import dev.mmict.storage.records.PackProgress;
import dev.mmict.storage.records.PackedDataset;
import dev.mmict.storage.records.PixelEncoding;
import dev.mmict.storage.records.RecordPacker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mmict data pack|inspect}: convert a dataset to checksummed record shards, or look inside one. */
@Command(name = "data", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Pack a dataset into checksummed record shards, or inspect a dataset or a pack.",
        footer = {"", "Examples:", "  mmict data pack --dataset shapes-fastbinding --out data/fastbinding",
            "  mmict data inspect data/fastbinding --verify"},
        subcommands = {DataCommand.Pack.class, DataCommand.Inspect.class})
final class DataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE_ERROR;
    }

    @Command(name = "pack", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Write every split of a dataset as length-prefixed protobuf records with CRC32C,"
                    + " an index by sample id and a manifest with sha256 per file (storage/README.md).",
            footer = {"", "Examples:", "  mmict data pack --dataset shapes-fastbinding --out data/fastbinding",
                "  mmict data pack --dataset my-coco.yaml --out data/coco --shard-mb 128"})
    static final class Pack implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Option(names = "--dataset", required = true, description = "Built-in task name or task YAML file.")
        String dataset;

        @Option(names = "--out", required = true, description = "Directory to create (must not exist or be empty).")
        Path out;

        @Option(names = "--shard-mb", defaultValue = "256", description = "Largest shard, MiB (default ${DEFAULT-VALUE}).")
        int shardMb;

        @Option(names = "--float32", description = "Store pixels as exact float32 instead of uint8.")
        boolean float32;

        @Option(names = "--overwrite", description = "Replace an existing pack at --out.")
        boolean overwrite;

        @Override
        public Integer call() throws IOException {
            Dataset d = open(dataset);
            PackBar progress = new PackBar(Progress.forConsole(), "packing " + d.name());
            PackOptions options = PackOptions.defaults().withMaxShardMegabytes(shardMb)
                    .withPixelEncoding(float32 ? PixelEncoding.FLOAT32 : PixelEncoding.UINT8)
                    .withOverwrite(overwrite).withProgress(progress);
            Manifest m;
            try (progress) {
                m = RecordPacker.pack(d, out, options);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw CommandFailure.dataError(out + " exists and is not empty (use --overwrite to replace it)", e);
            }
            long bytes = 0;
            try (var files = Files.list(out)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    bytes += Files.size(f);
                }
            }
            spec.commandLine().getOut().printf("packed %s into %s: %s, %.1f MB%n", d.name(), out,
                    m, bytes / 1e6);
            return ExitCodes.OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Print counts per split and task and a few samples of a packed directory or a dataset.",
            footer = {"", "Examples:", "  mmict data inspect data/fastbinding", "  mmict data inspect shapes-vqa --verify"})
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Parameters(paramLabel = "DIR|DATASET", description = "A packed directory, a built-in task or a task YAML.")
        String target;

        @Option(names = "--samples", defaultValue = "3", description = "Samples shown per split (default ${DEFAULT-VALUE}).")
        int samples;

        @Option(names = "--verify", description = "For a pack: also check the sha256 of every file.")
        boolean verify;

        @Override
        public Integer call() throws IOException {
            Path dir = Path.of(target);
            if (Files.isRegularFile(dir.resolve("manifest.json"))) {
                try (PackedDataset p = PackedDataset.open(dir)) {
                    if (verify) {
                        p.verify();
                    }
                    spec.commandLine().getOut().print(DatasetInspector.inspect(p, samples).toText());
                } catch (RuntimeException e) {
                    throw CommandFailure.dataError(dir + ": " + e.getMessage(), e);
                }
            } else {
                spec.commandLine().getOut().print(DatasetInspector.inspect(open(target), samples).toText());
            }
            return ExitCodes.OK;
        }
    }

    static Dataset open(String nameOrPath) {
        try {
            return Datasets.open(nameOrPath);
        } catch (RuntimeException e) {
            throw CommandFailure.dataError("dataset '" + nameOrPath + "': " + e.getMessage(), e);
        }
    }

    /** Shows packing progress (samples written over all splits, the current split beside the count). */
    static final class PackBar implements PackProgress, AutoCloseable {
        private final Progress progress;
        private final String label;
        private Progress.Task task;

        PackBar(Progress progress, String label) {
            this.progress = progress;
            this.label = label;
        }

        @Override
        public void sampleWritten(String split, long done, long total) {
            if (task == null) {
                task = progress.start(label, total, "samples");
            }
            task.update(done, split);
        }

        @Override
        public void close() {
            if (task != null) {
                task.close();
            }
        }
    }
}
