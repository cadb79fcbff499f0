package dev.mmict.coordinator.checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoints of one cluster run as pure state: which one is owed (due, not yet asked for),
 * which requests are in flight, the newest one acknowledged, and the record of every outcome.
 *
 * <p><b>Asking.</b> A checkpoint of {@code stepsDone} steps is owed from the commit of step
 * {@code stepsDone - 1} ({@link #committed}). It is asked for ({@link #next}) only at a boundary
 * where the run's next step is still {@code stepsDone} and nothing is in flight, so the writer's
 * replica holds exactly that state: the writer writes it on its step thread before it runs the
 * next step. A checkpoint whose boundary passed before it could be asked for (its writer died and
 * the run committed the next step without it) is given up, and the next commit owes one instead.
 *
 * <p><b>Outcomes.</b> A writer that dies before answering ({@link #writerGone}) makes its
 * checkpoint owed again, for another worker. A write that fails (an I/O error) is recorded and
 * logged; the run goes on, except for the final checkpoint: the run fails when it cannot be
 * written, and is reported finished only once it is acknowledged ({@link #finalWritten()}).
 *
 * <p>Not thread-safe: the coordinator's actor serialises access.
 */
public final class CheckpointSchedule {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointSchedule.class);

  /**
   * A checkpoint to ask for now.
   *
   * @param id the request's id
   * @param writer the worker that writes it
   * @param stepsDone the checkpoint holds the state after step {@code stepsDone - 1}
   * @param isFinal the run's last checkpoint
   */
  public record Ask(String id, String writer, long stepsDone, boolean isFinal) { }

  /**
   * What became of one request.
   *
   * @param id the request's id
   * @param stepsDone its steps done
   * @param writer the worker asked
   * @param outcome {@code written}, {@code failed} or {@code writer-gone}
   * @param path the checkpoint's directory when written, else empty
   * @param detail why it failed; empty when written
   */
  public record Outcome(String id, long stepsDone, String writer, String outcome, String path, String detail) { }

  /** What an acknowledgement led to. */
  public enum Result {
    /** Not a request in flight (late, duplicate, unknown). */
    IGNORED,
    /** Written; not the final one. */
    WRITTEN,
    /** The final checkpoint is written: the run may finish. */
    FINAL_WRITTEN,
    /** A checkpoint other than the final one failed; the run goes on. */
    FAILED,
    /** The final checkpoint failed: the run fails. */
    FINAL_FAILED
  }

  private record Owed(long stepsDone, boolean isFinal, Set<String> tried) { }

  private final CheckpointPolicy policy;
  private final Map<String, Ask> inFlight = new LinkedHashMap<>();
  private final Map<String, Set<String>> triedById = new LinkedHashMap<>();
  private final List<Outcome> outcomes = new ArrayList<>();
  private Owed owed;
  private boolean owedAtNextCommit;
  private long seq;
  private long newestStepsDone;
  private String newestPath = "";
  private boolean finalWritten;

  /**
   * A schedule following {@code policy}; {@code newestStepsDone} and {@code newestPath} name the
   * newest checkpoint already written (0 and empty: none), e.g. the one a resumed run started from.
   */
  public CheckpointSchedule(CheckpointPolicy policy, long newestStepsDone, String newestPath) {
    this.policy = policy;
    this.newestStepsDone = newestStepsDone;
    this.newestPath = newestPath == null ? "" : newestPath;
    this.finalWritten = newestStepsDone == policy.steps();
  }

  /** The policy it follows. */
  public CheckpointPolicy policy() {
    return policy;
  }

  /** Step {@code step} was committed: owes its checkpoint when the policy says so (or a failed one is owed). */
  public void committed(long step) {
    long done = step + 1;
    if (policy.dueAfter(step) || owedAtNextCommit) {
      if (owed != null && owed.stepsDone() < done) {
        LOG.warn("checkpoint after {} steps could not be asked for before step {} was committed: the one after {}"
            + " steps replaces it", owed.stepsDone(), step, done);
      }
      owed = new Owed(done, policy.isFinal(done), new TreeSet<>());
      owedAtNextCommit = false;
    }
  }

  /**
   * Owes the final checkpoint when the run's steps are all committed ({@code nextStep} is the
   * policy's last) but it is neither written, owed nor in flight: a coordinator that took the run
   * over after its last commit never saw the commit that owed it.
   */
  public void oweFinalIfMissing(long nextStep) {
    if (nextStep == policy.steps() && !finalWritten && !busy()) {
      owed = new Owed(nextStep, true, new TreeSet<>());
    }
  }

  /**
   * The checkpoint to ask for at a boundary where {@code nextStep} is the next step to plan and
   * nothing is in flight, written by the policy's pick among {@code candidates} (workers holding
   * the state after {@code nextStep - 1}); empty when none is owed, none can be asked for now, or
   * the owed one's boundary has passed (then the next commit owes one).
   */
  public Optional<Ask> next(long nextStep, Collection<String> candidates) {
    if (owed == null) {
      return Optional.empty();
    }
    if (owed.stepsDone() != nextStep) {
      if (owed.stepsDone() < nextStep) {
        LOG.warn("giving up the checkpoint after {} steps: the run is at step {} already; the next commit owes one",
            owed.stepsDone(), nextStep);
        owed = null;
        owedAtNextCommit = true;
      }
      return Optional.empty();
    }
    Optional<String> writer = policy.writer(candidates, owed.tried());
    if (writer.isEmpty()) {
      return Optional.empty();
    }
    Ask ask = new Ask("c" + (++seq), writer.get(), owed.stepsDone(), owed.isFinal());
    Set<String> tried = new TreeSet<>(owed.tried());
    tried.add(writer.get());
    triedById.put(ask.id(), tried);
    inFlight.put(ask.id(), ask);
    owed = null;
    return Optional.of(ask);
  }

  /**
   * True when the final checkpoint is owed and every one of {@code candidates} was asked for it
   * already (each died or failed): nobody is left to write it.
   */
  public boolean finalUnwritable(Collection<String> candidates) {
    return owed != null && owed.isFinal() && !candidates.isEmpty()
        && policy.writer(candidates, owed.tried()).isEmpty();
  }

  /** Records the writer's answer. */
  public Result written(String id, String worker, String path, String error) {
    Ask ask = inFlight.get(id);
    if (ask == null || !ask.writer().equals(worker)) {
      return Result.IGNORED;
    }
    inFlight.remove(id);
    triedById.remove(id);
    if (error == null || error.isEmpty()) {
      outcomes.add(new Outcome(id, ask.stepsDone(), worker, "written", path, ""));
      if (ask.stepsDone() >= newestStepsDone) {
        newestStepsDone = ask.stepsDone();
        newestPath = path;
      }
      if (ask.isFinal()) {
        finalWritten = true;
        return Result.FINAL_WRITTEN;
      }
      return Result.WRITTEN;
    }
    outcomes.add(new Outcome(id, ask.stepsDone(), worker, "failed", "", error));
    return ask.isFinal() ? Result.FINAL_FAILED : Result.FAILED;
  }

  /**
   * {@code worker} died or left: each checkpoint it was asked for and has not answered becomes
   * owed again (for another worker); true if there was one.
   */
  public boolean writerGone(String worker, String detail) {
    boolean any = false;
    for (Ask ask : List.copyOf(inFlight.values())) {
      if (!ask.writer().equals(worker)) {
        continue;
      }
      inFlight.remove(ask.id());
      Set<String> tried = triedById.remove(ask.id());
      outcomes.add(new Outcome(ask.id(), ask.stepsDone(), worker, "writer-gone", "", detail));
      if (owed == null || owed.stepsDone() <= ask.stepsDone()) {
        owed = new Owed(ask.stepsDone(), ask.isFinal(), tried);
        LOG.warn("checkpoint {} after {} steps: its writer {} is gone ({}); another worker is asked", ask.id(),
            ask.stepsDone(), worker, detail);
      }
      any = true;
    }
    return any;
  }

  /** True while a checkpoint is owed or in flight. */
  public boolean busy() {
    return owed != null || !inFlight.isEmpty();
  }

  /** True once the run's last checkpoint is acknowledged. */
  public boolean finalWritten() {
    return finalWritten;
  }

  /** Steps done of the newest checkpoint acknowledged (0: none). */
  public long newestStepsDone() {
    return newestStepsDone;
  }

  /** Directory of the newest checkpoint acknowledged (empty: none). */
  public String newestPath() {
    return newestPath;
  }

  /** Every request's outcome so far, oldest first. */
  public List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }
}
