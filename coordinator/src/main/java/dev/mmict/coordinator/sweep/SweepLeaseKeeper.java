package dev.mmict.coordinator.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmict.storage.checkpoint.AtomicFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * One process's view of the lease that makes a single {@code mmict sweep} the active scheduler of a
 * sweep directory ({@value #FILE_NAME}, replaced atomically like the state file): it judges whether
 * the lease is free, fresh or stale, takes it with the next term, renews it, notices when another
 * process has taken it over, and releases it. Time comes from an injected {@link Clock}; whether a
 * process on this host is alive from an injected predicate, so that the rules are tested without
 * waiting or killing.
 *
 * <p>Two ways to judge a lease that is neither absent nor released:
 * <ul>
 *   <li>{@link #judgeAtStart()} (a process starting without history): stale when its holder is a
 *       process of this host that is gone, or when the holder's wall-clock renewal time is
 *       {@code timeout} or more in the past (clocks of the machines are assumed in sync to well
 *       under the timeout);</li>
 *   <li>{@link #watch()} (a standby polling it): stale once this process has seen the same term and
 *       renewal count for {@code timeout} on its own monotonic clock; it does not trust another
 *       machine's clock, nor check process ids (it works the same on the holder's host or another).</li>
 * </ul>
 *
 * <p>The term is the fencing token: {@link #acquire} writes the last term + 1, {@link #renew}
 * throws {@link StaleTermException} once the file holds a higher term or another holder, and the
 * {@link SweepStateStore} of a term refuses to write over a state of a higher term. Thread-safe.
 */
public final class SweepLeaseKeeper {

  /** The lease file's name in the sweep directory. */
  public static final String FILE_NAME = "sweep-lease.json";

  private static final int FORMAT = 1;

  /** Time as the keeper reads it. */
  public interface Clock {
    /** A monotonic clock in nanoseconds (as {@link System#nanoTime()}). */
    long nanoTime();

    /** The wall clock in epoch milliseconds (as {@link System#currentTimeMillis()}). */
    long currentTimeMillis();

    /** The system's clocks. */
    Clock SYSTEM = new Clock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public long currentTimeMillis() {
        return System.currentTimeMillis();
      }
    };
  }

  /** What a judgement found. */
  public enum Kind {
    /** No lease, or one its holder released: take it. */
    FREE,
    /** A holder renews it: do not run the sweep. */
    FRESH,
    /** Its holder stopped renewing (or is gone): take it over with the next term. */
    STALE
  }

  /**
   * A judgement of the lease file.
   *
   * @param kind free, fresh or stale
   * @param lease the lease found; null when there is none
   * @param reason why, for people (names the holder, its term and how long since it renewed)
   */
  public record Verdict(Kind kind, SweepLease lease, String reason) { }

  private final Path file;
  private final String host;
  private final long pid;
  private final Duration timeout;
  private final Clock clock;
  private final LongPredicate alive;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The lease version a standby watches, and since when (its monotonic clock) it has not changed. */
  private SweepLease watched;
  private long watchedSince;
  /** The lease this process holds; null when it holds none. */
  private SweepLease held;
  private long renewedNanos;

  /**
   * @param dir the sweep directory; the lease lives in {@code dir/}{@value #FILE_NAME}
   * @param host this machine's host name
   * @param pid this process's id
   * @param timeout how long a holder may go without renewing before its lease is stale
   * @param clock the clocks
   * @param alive whether a process of this host with the given id is alive
   */
  public SweepLeaseKeeper(Path dir, String host, long pid, Duration timeout, Clock clock, LongPredicate alive) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("lease timeout must be > 0, got " + timeout);
    }
    this.file = dir.resolve(FILE_NAME);
    this.host = host;
    this.pid = pid;
    this.timeout = timeout;
    this.clock = clock;
    this.alive = alive;
  }

  /** The lease file. */
  public Path file() {
    return file;
  }

  /** How long a holder may go without renewing. */
  public Duration timeout() {
    return timeout;
  }

  /** This process as a lease names its holder. */
  public String self() {
    return SweepLease.holderName(host, pid);
  }

  /** The lease file's content, or empty when there is none. */
  public Optional<SweepLease> read() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = json.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException("sweep lease " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    try {
      int format = required(root, "format").asInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException("format " + format + " is not supported (expected " + FORMAT + ")");
      }
      return Optional.of(new SweepLease(required(root, "term").asLong(), required(root, "host").asText(),
          required(root, "pid").asLong(), required(root, "renewal").asLong(),
          required(root, "renewedAtMillis").asLong(), required(root, "released").asBoolean()));
    } catch (IllegalArgumentException e) {
      throw new IOException("sweep lease " + file + " is malformed: " + e.getMessage(), e);
    }
  }

  /** Judges the lease as a process that starts now sees it (see the class comment). */
  public synchronized Verdict judgeAtStart() throws IOException {
    Optional<SweepLease> found = read();
    if (found.isEmpty() || found.get().released()) {
      return free(found);
    }
    SweepLease lease = found.get();
    double age = (clock.currentTimeMillis() - lease.renewedAtMillis()) / 1000.0;
    if (lease.host().equals(host) && lease.pid() != pid && !alive.test(lease.pid())) {
      return new Verdict(Kind.STALE, lease, "its holder " + lease.holder() + " (term " + lease.term()
          + ") is no longer running on this host");
    }
    if (age >= timeout.toMillis() / 1000.0) {
      return new Verdict(Kind.STALE, lease, String.format(Locale.ROOT, "its holder %s (term %d) last renewed it"
          + " %.1f s ago, the lease timeout is %s s", lease.holder(), lease.term(), age, seconds(timeout)));
    }
    return new Verdict(Kind.FRESH, lease, String.format(Locale.ROOT, "held by %s (term %d, renewed %.1f s ago,"
        + " lease timeout %s s)", lease.holder(), lease.term(), Math.max(0, age), seconds(timeout)));
  }

  /** Judges the lease as a standby that keeps polling it (see the class comment). */
  public synchronized Verdict watch() throws IOException {
    Optional<SweepLease> found = read();
    if (found.isEmpty() || found.get().released()) {
      watched = null;
      return free(found);
    }
    SweepLease lease = found.get();
    long now = clock.nanoTime();
    if (watched == null || !sameVersion(watched, lease)) {
      watched = lease;
      watchedSince = now;
    }
    double unchanged = (now - watchedSince) / 1e9;
    if (now - watchedSince >= timeout.toNanos()) {
      return new Verdict(Kind.STALE, lease, String.format(Locale.ROOT, "its holder %s (term %d) has not renewed"
          + " it for %.1f s (lease timeout %s s)", lease.holder(), lease.term(), unchanged, seconds(timeout)));
    }
    return new Verdict(Kind.FRESH, lease, String.format(Locale.ROOT, "held by %s (term %d, renewal %d unchanged"
        + " for %.1f s of %s s)", lease.holder(), lease.term(), lease.renewal(), unchanged, seconds(timeout)));
  }

  /**
   * Takes the lease after {@code verdict} found it free or stale: writes the found term + 1 with
   * this process as holder, then reads it back.
   *
   * @return the lease now held, or empty when the file changed since the verdict (its holder
   *     renewed, or another process took it): judge again
   * @throws StaleTermException when another process wrote its own lease over this one at once
   * @throws IllegalArgumentException for a fresh verdict
   */
  public synchronized Optional<SweepLease> acquire(Verdict verdict) throws IOException {
    if (verdict.kind() == Kind.FRESH) {
      throw new IllegalArgumentException("cannot take a fresh lease: " + verdict.reason());
    }
    Optional<SweepLease> now = read();
    if (!sameVersion(now.orElse(null), verdict.lease())) {
      return Optional.empty();
    }
    long term = now.map(SweepLease::term).orElse(0L) + 1;
    SweepLease mine = new SweepLease(term, host, pid, 0, clock.currentTimeMillis(), false);
    write(mine);
    Optional<SweepLease> back = read();
    if (back.isEmpty() || !back.get().equals(mine)) {
      throw new StaleTermException("sweep lease " + file + ": another process took the lease at the same time ("
          + back.map(l -> l.holder() + ", term " + l.term()).orElse("the file is gone") + "); this one ("
          + self() + ") stands back");
    }
    held = mine;
    renewedNanos = clock.nanoTime();
    watched = null;
    return Optional.of(mine);
  }

  /**
   * Renews the held lease: checks that the file still names this process in its term, then writes
   * the next renewal count and the current wall clock.
   *
   * @throws StaleTermException when another process took the lease over (or the file is gone)
   * @throws IllegalStateException when this process holds no lease
   */
  public synchronized SweepLease renew() throws IOException {
    SweepLease mine = requireHeld();
    checkStillHeld(mine);
    SweepLease next = new SweepLease(mine.term(), host, pid, mine.renewal() + 1, clock.currentTimeMillis(), false);
    write(next);
    held = next;
    renewedNanos = clock.nanoTime();
    return next;
  }

  /**
   * Gives the held lease up on a clean exit (kept with its term, marked released, so that the next
   * holder's term is higher); nothing when this process holds none or lost it.
   *
   * @return whether a release was written
   */
  public synchronized boolean release() throws IOException {
    if (held == null) {
      return false;
    }
    SweepLease mine = held;
    held = null;
    Optional<SweepLease> now = read();
    if (now.isEmpty() || now.get().term() != mine.term() || !now.get().heldBy(host, pid)) {
      return false;
    }
    write(new SweepLease(mine.term(), host, pid, mine.renewal() + 1, clock.currentTimeMillis(), true));
    return true;
  }

  /** The lease this process holds, if any. */
  public synchronized Optional<SweepLease> held() {
    return Optional.ofNullable(held);
  }

  /** Seconds since this process last took or renewed its lease (on its monotonic clock). */
  public synchronized double secondsSinceRenewal() {
    requireHeld();
    return (clock.nanoTime() - renewedNanos) / 1e9;
  }

  private SweepLease requireHeld() {
    if (held == null) {
      throw new IllegalStateException("this process (" + self() + ") holds no lease on " + file);
    }
    return held;
  }

  private void checkStillHeld(SweepLease mine) throws IOException {
    Optional<SweepLease> now = read();
    if (now.isEmpty()) {
      held = null;
      throw new StaleTermException("sweep lease " + file + " is gone while " + self() + " held it in term "
          + mine.term() + ": this process stops, as another one may run the sweep now");
    }
    SweepLease found = now.get();
    if (found.term() > mine.term() || !found.heldBy(host, pid)) {
      held = null;
      throw new StaleTermException("sweep lease " + file + " was taken over by " + found.holder() + " in term "
          + found.term() + " while " + self() + " held term " + mine.term()
          + ": this process stops without writing the sweep's state");
    }
  }

  private void write(SweepLease lease) throws IOException {
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    root.put("term", lease.term());
    root.put("host", lease.host());
    root.put("pid", lease.pid());
    root.put("renewal", lease.renewal());
    root.put("renewedAtMillis", lease.renewedAtMillis());
    root.put("renewedAt", Instant.ofEpochMilli(lease.renewedAtMillis()).toString());
    root.put("released", lease.released());
    Files.createDirectories(file.toAbsolutePath().getParent());
    AtomicFile.write(file, json.writeValueAsBytes(root));
  }

  private static Verdict free(Optional<SweepLease> found) {
    return new Verdict(Kind.FREE, found.orElse(null), found.map(l -> "released by " + l.holder() + " in term "
        + l.term()).orElse("no lease yet"));
  }

  /** The same lease version: same term, holder and renewal count (null only equals null). */
  private static boolean sameVersion(SweepLease a, SweepLease b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.term() == b.term() && a.heldBy(b.host(), b.pid()) && a.renewal() == b.renewal()
        && a.released() == b.released();
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds())
        : String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing field '" + field + "'");
    }
    return value;
  }
}
