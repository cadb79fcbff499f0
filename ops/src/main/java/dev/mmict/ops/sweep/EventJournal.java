package dev.mmict.ops.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sweep's append-only journal of {@link TrialEvent}s ({@value #FILE_NAME}, one JSON object a
 * line, fsynced after each), kept across restarts of {@code mmict sweep}: it answers how often each
 * trial was started and why, which the state file (the latest truth only) does not.
 */
public final class EventJournal {

    /** The journal's file name in the sweep's output directory. */
    public static final String FILE_NAME = "events.jsonl";

    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    /** @param dir the sweep's output directory */
    public EventJournal(Path dir) {
        this.file = dir.resolve(FILE_NAME);
    }

    /** The journal file. */
    public Path file() {
        return file;
    }

    /** Appends {@code event} as one line and forces it to disk. */
    public synchronized void append(TrialEvent event) throws IOException {
        byte[] line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(false);
        }
    }

    /**
     * Every event in {@code dir}'s journal, oldest first (empty if there is none). A last line cut
     * short by a crash is skipped with a warning; any other bad line is an error naming it.
     */
    public static List<TrialEvent> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<TrialEvent> events = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                events.add(JSON.readValue(lines.get(i), TrialEvent.class));
            } catch (JsonProcessingException e) {
                if (i == lines.size() - 1) {
                    LOG.warn("{}:{}: skipping a last line cut short ({})", file, i + 1, e.getOriginalMessage());
                } else {
                    throw new IOException(file + ":" + (i + 1) + ": not a trial event: " + e.getOriginalMessage(), e);
                }
            }
        }
        return events;
    }
}
