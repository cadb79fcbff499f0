package dev.mmict.coordinator.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample audit log: which sample was trained at which step by which worker, for committed
 * steps only, so "every sample of an epoch exactly once" can be checked after any run.
 *
 * <p><b>Format.</b> An append-only file of JSON lines, one per committed step (a {@link
 * StepAudit}): a step is recorded whole or not at all. Each commit is written and forced to disk
 * before {@link #commit(long)} returns. A crash mid-write leaves an unterminated last line, which
 * {@link #open(Path)} cuts off (that step then counts as not recorded) and {@link #read(Path)}
 * ignores; a malformed complete line is an error naming the file and line.
 *
 * <p><b>Protocol.</b> {@link #begin(StepAudit)} stages a step attempt's plan; {@link
 * #abort(long)} discards it (the aborted attempt trained nothing); {@link #commit(long)} appends
 * it. A re-planned attempt simply stages again. After a resume from a checkpoint at step c,
 * {@link #rewindAfter(long)} drops the steps after c, which will be trained again.
 *
 * <p>Not thread-safe: the coordinator actor owns it.
 */
public final class SampleAudit implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(SampleAudit.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private FileChannel channel;
  private long lastCommitted;
  private StepAudit staged;

  private SampleAudit(Path file, FileChannel channel, long lastCommitted) {
    this.file = file;
    this.channel = channel;
    this.lastCommitted = lastCommitted;
  }

  /**
   * Opens (creating if absent) the audit log at {@code file} for appending; an unterminated last
   * line left by a crash is cut off.
   */
  public static SampleAudit open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      byte[] bytes = Files.readAllBytes(file);
      int complete = completeLength(bytes);
      if (complete < bytes.length) {
        LOG.warn(
            "Audit log {}: cutting off an unterminated last line of {} bytes (a commit torn by a crash)",
            file, bytes.length - complete);
        channel.truncate(complete);
        channel.force(true);
      }
      List<StepAudit> steps = parse(file, bytes, complete);
      long last = steps.isEmpty() ? -1 : steps.get(steps.size() - 1).step();
      channel.position(complete);
      return new SampleAudit(file, channel, last);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The last committed step, if any. */
  public OptionalLong lastCommittedStep() {
    return lastCommitted < 0 ? OptionalLong.empty() : OptionalLong.of(lastCommitted);
  }

  /** Stages the plan of a step attempt, replacing a staged earlier attempt of the same step. */
  public void begin(StepAudit planned) {
    if (planned.step() <= lastCommitted) {
      throw new IllegalStateException(
          "audit " + file + ": step " + planned.step() + " is already committed (last committed "
              + lastCommitted + ")");
    }
    if (staged != null && staged.step() != planned.step()) {
      throw new IllegalStateException(
          "audit " + file + ": step " + staged.step() + " is staged; commit or abort it before step "
              + planned.step());
    }
    staged = planned;
  }

  /** Discards the staged attempt of {@code step}: it trained nothing. */
  public void abort(long step) {
    requireStaged(step);
    staged = null;
  }

  /** Appends the staged attempt of {@code step} and forces it to disk. */
  public void commit(long step) throws IOException {
    requireStaged(step);
    if (step <= lastCommitted) {
      throw new IllegalStateException("audit " + file + ": step " + step + " committed twice");
    }
    byte[] line = (toJson(staged) + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.wrap(line);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    channel.force(false);
    lastCommitted = step;
    staged = null;
  }

  /**
   * Drops every committed step after {@code step} (-1: all), atomically (rewrite to a temporary
   * file, then rename): a run resumed from the checkpoint after {@code step} trains them again.
   */
  public void rewindAfter(long step) throws IOException {
    if (staged != null) {
      throw new IllegalStateException("audit " + file + ": cannot rewind with step " + staged.step() + " staged");
    }
    List<StepAudit> kept = new ArrayList<>();
    for (StepAudit s : read(file)) {
      if (s.step() <= step) {
        kept.add(s);
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    StringBuilder text = new StringBuilder();
    for (StepAudit s : kept) {
      text.append(toJson(s)).append('\n');
    }
    try (FileChannel out =
        FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
    channel.close();
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    channel.position(channel.size());
    lastCommitted = kept.isEmpty() ? -1 : kept.get(kept.size() - 1).step();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Every committed step in the log at {@code file}, in order; an unterminated last line is ignored. */
  public static List<StepAudit> read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return parse(file, bytes, completeLength(bytes));
  }

  /**
   * Checks that every sample of {@code expected} was trained exactly once in {@code epoch}
   * according to {@code steps}, and nothing else was.
   */
  public static AuditReport check(List<StepAudit> steps, long epoch, int[] expected) {
    Map<Integer, Integer> counts = new TreeMap<>();
    int trained = 0;
    for (StepAudit s : steps) {
      if (s.epoch() != epoch) {
        continue;
      }
      for (MicroBatchAudit mb : s.microBatches()) {
        for (int sample : mb.samples()) {
          counts.merge(sample, 1, Integer::sum);
          trained++;
        }
      }
    }
    List<Integer> missing = new ArrayList<>();
    Set<Integer> expectedSet = new HashSet<>();
    for (int e : expected) {
      expectedSet.add(e);
      if (!counts.containsKey(e)) {
        missing.add(e);
      }
    }
    missing.sort(null);
    List<Integer> duplicated = new ArrayList<>();
    List<Integer> unexpected = new ArrayList<>();
    counts.forEach((sample, n) -> {
      if (n > 1) {
        duplicated.add(sample);
      }
      if (!expectedSet.contains(sample)) {
        unexpected.add(sample);
      }
    });
    return new AuditReport(epoch, trained, missing, duplicated, unexpected);
  }

  private void requireStaged(long step) {
    if (staged == null || staged.step() != step) {
      throw new IllegalStateException(
          "audit " + file + ": step " + step + " is not staged (staged: "
              + (staged == null ? "none" : staged.step()) + ")");
    }
  }

  private static int completeLength(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    return end;
  }

  private static List<StepAudit> parse(Path file, byte[] bytes, int length) throws IOException {
    List<StepAudit> out = new ArrayList<>();
    String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      StepAudit step;
      try {
        step = JSON.readValue(line, StepAudit.class);
      } catch (JsonProcessingException e) {
        throw new IOException("audit log " + file + " line " + lineNo + " is not a step record: " + e.getOriginalMessage(), e);
      }
      if (!out.isEmpty() && step.step() <= out.get(out.size() - 1).step()) {
        throw new IOException(
            "audit log " + file + " line " + lineNo + ": step " + step.step() + " after step "
                + out.get(out.size() - 1).step() + " (steps must increase)");
      }
      out.add(step);
    }
    return out;
  }

  private static String toJson(StepAudit step) {
    try {
      return JSON.writeValueAsString(step);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write step " + step.step() + " as JSON", e);
    }
  }
}
