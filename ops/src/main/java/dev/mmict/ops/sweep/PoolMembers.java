package dev.mmict.ops.sweep;

import dev.mmict.protocol.v1.PoolWorkerReady;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Who is in a sweep's worker pool: the worker JVMs the sweep started on its machine ({@code pool-N},
 * "local") from their start until their connection ends, and the workers that joined from anywhere
 * ({@code mmict worker --pool-join}, "joined") while their connection lasts. Decides whether a
 * worker's hello is taken: a wrong protocol version, an id that is not a plain name, or an id already
 * in the pool is refused with the reason. Pure and not thread-safe: {@link WorkerPool} calls it
 * under its lock.
 */
final class PoolMembers {

    /** Ids are file names (logs, final-parameter files): letters, digits, '.', '_' and '-'. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * A worker in the pool.
     *
     * @param id its id in the pool and in every trial cluster it joins
     * @param local whether the sweep started it (then it is replaced when it dies)
     * @param pid its process id (on its machine)
     * @param machine the machine it runs on
     * @param host the address its cluster node binds
     */
    record Member(String id, boolean local, long pid, String machine, String host) { }

    /** What a hello gets. */
    sealed interface Admission permits Admitted, Refused { }

    /** Taken into the pool as {@code member}. */
    record Admitted(Member member) implements Admission { }

    /** Not taken, because of {@code reason}. */
    record Refused(String reason) implements Admission { }

    private final int protocolVersion;
    /** Local workers started but not connected yet: id → process id. */
    private final Map<String, Long> starting = new LinkedHashMap<>();
    private final Map<String, Member> members = new TreeMap<>();
    private int localCount;

    /** @param protocolVersion the protocol version number the sweep speaks */
    PoolMembers(int protocolVersion) {
        this.protocolVersion = protocolVersion;
    }

    /** The id for the next local worker: {@code pool-N}, skipping any id in use. */
    String nextLocalId() {
        String id;
        do {
            id = "pool-" + (++localCount);
        } while (starting.containsKey(id) || members.containsKey(id));
        return id;
    }

    /** The sweep started local worker {@code id} as process {@code pid}; it is starting until it connects. */
    void started(String id, long pid) {
        starting.put(id, pid);
    }

    /** Takes or refuses the worker that said {@code hello}. */
    Admission admit(PoolWorkerReady hello) {
        String id = hello.getWorkerId();
        if (hello.getProtocolVersionValue() != protocolVersion) {
            return new Refused("it speaks protocol version " + hello.getProtocolVersionValue() + ", this sweep "
                    + protocolVersion);
        }
        if (!ID.matcher(id).matches()) {
            return new Refused("'" + id + "' is not a worker id (1 to 64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit)");
        }
        Member present = members.get(id);
        if (present != null) {
            return new Refused("a worker '" + id + "' is already in the pool (process " + present.pid() + " on "
                    + present.machine() + "); give each worker its own --id");
        }
        Long startedPid = starting.get(id);
        if (startedPid != null && startedPid != hello.getPid()) {
            return new Refused("'" + id + "' is the id of a worker this sweep started (process " + startedPid
                    + "); give each worker its own --id");
        }
        Member m = new Member(id, startedPid != null, hello.getPid(), hello.getMachine(), hello.getHost());
        starting.remove(id);
        members.put(id, m);
        return new Admitted(m);
    }

    /** Worker {@code id}'s connection ended: it leaves the pool; the member it was, if it was one. */
    Optional<Member> drop(String id) {
        return Optional.ofNullable(members.remove(id));
    }

    /** Local worker {@code id}'s process ended: true when it had not connected yet (it never joined). */
    boolean endedStarting(String id) {
        return starting.remove(id) != null;
    }

    /** The members, sorted by id. */
    List<String> live() {
        return new ArrayList<>(members.keySet());
    }

    /** Local workers started and not connected yet. */
    int starting() {
        return starting.size();
    }

    /** Member {@code id}, if it is one. */
    Optional<Member> member(String id) {
        return Optional.ofNullable(members.get(id));
    }
}
