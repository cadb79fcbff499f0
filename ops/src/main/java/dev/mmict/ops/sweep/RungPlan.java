package dev.mmict.ops.sweep;

import dev.mmict.coordinator.sweep.AshaSettings;
import java.util.List;
import java.util.Optional;

/**
 * Where a trial stops to be judged: at every ASHA rung below its last step, then at its last step
 * ({@code maxT}, which a trial's {@code trainer.steps} equals); without a scheduler, only at its last
 * step. Pure rung bookkeeping for {@link SweepRunner}.
 *
 * @param rungs the rung milestones, ascending (empty without a scheduler)
 * @param lastStep the step a trial completes at
 */
public record RungPlan(List<Long> rungs, long lastStep) {

    /** Checks the rungs ascend within {@code 1..lastStep}. */
    public RungPlan {
        rungs = List.copyOf(rungs);
        if (lastStep < 1) {
            throw new IllegalArgumentException("last step must be >= 1, got " + lastStep);
        }
        long previous = 0;
        for (long r : rungs) {
            if (r <= previous || r > lastStep) {
                throw new IllegalArgumentException("rungs " + rungs + " must ascend within 1.." + lastStep);
            }
            previous = r;
        }
    }

    /** ASHA's rungs up to {@code maxT}, or none (one run to {@code trainerSteps}) without a scheduler. */
    public static RungPlan of(Optional<AshaSettings> asha, long trainerSteps) {
        return asha.map(a -> new RungPlan(a.rungs(), a.maxT())).orElseGet(() -> new RungPlan(List.of(), trainerSteps));
    }

    /** The step a trial with {@code done} steps trains to next: the next rung above it, else the last step. */
    public long nextTarget(long done) {
        if (done < 0 || done >= lastStep) {
            throw new IllegalArgumentException("a trial with " + done + " steps done has nothing left to train (last step "
                    + lastStep + ")");
        }
        for (long r : rungs) {
            if (r > done) {
                return r;
            }
        }
        return lastStep;
    }

    /** {@code step} if it is a rung, else null (the last step is a rung only if ASHA's rungs include it). */
    public Long rungAt(long step) {
        return rungs.contains(step) ? step : null;
    }

    /** Whether {@code step} completes a trial. */
    public boolean isLast(long step) {
        return step >= lastStep;
    }
}
