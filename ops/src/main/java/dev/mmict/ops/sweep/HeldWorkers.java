package dev.mmict.ops.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker-seconds of one trial stretch: for every worker, the wall seconds from when the trial
 * took it ({@link #hold}) until it was let go ({@link #release}: it died) or the stretch ended.
 * Every worker-second a sweep records comes from here: a stretch trained in the trial's own JVM
 * holds that one JVM for the stretch's whole life; a stretch on pool workers holds each of them from
 * the moment it was given to the trial. Time is passed in (nanoseconds of {@link System#nanoTime()}),
 * so the class is pure.
 */
public final class HeldWorkers {

    private final Map<String, Long> heldSince = new LinkedHashMap<>();
    private final List<String> everHeld = new ArrayList<>();
    private double closedSeconds;

    /** Worker {@code id} is held from {@code nanos} on; holding a held worker again changes nothing. */
    public void hold(String id, long nanos) {
        if (heldSince.putIfAbsent(id, nanos) == null && !everHeld.contains(id)) {
            everHeld.add(id);
        }
    }

    /** Worker {@code id} is let go at {@code nanos} (it died); nothing when it is not held. */
    public void release(String id, long nanos) {
        Long since = heldSince.remove(id);
        if (since != null) {
            closedSeconds += seconds(since, nanos);
        }
    }

    /** Whether worker {@code id} is held now. */
    public boolean holds(String id) {
        return heldSince.containsKey(id);
    }

    /** Workers held at some moment of the stretch, in the order they were taken. */
    public List<String> everHeld() {
        return List.copyOf(everHeld);
    }

    /** Worker-seconds up to {@code nanos}: the let-go workers' intervals plus the held ones' until now. */
    public double seconds(long nanos) {
        double open = 0;
        for (long since : heldSince.values()) {
            open += seconds(since, nanos);
        }
        return closedSeconds + open;
    }

    /** The one place a holding interval becomes seconds. */
    private static double seconds(long fromNanos, long toNanos) {
        return Math.max(0, toNanos - fromNanos) / 1e9;
    }
}
