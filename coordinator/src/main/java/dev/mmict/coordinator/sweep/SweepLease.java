package dev.mmict.coordinator.sweep;

/**
 * What the lease file of a sweep directory says: which process is the sweep's active scheduler,
 * in which term, and when it last renewed. Written only by its holder ({@link SweepLeaseKeeper});
 * a new holder always writes a higher term, so the term orders the holders of one directory.
 *
 * @param term the holder's term, from 1; every take-over writes the previous term + 1
 * @param host the host name of the holder's machine
 * @param pid the holder's process id on {@code host}
 * @param renewal how often the holder renewed in this term (0 when it just took the lease); a
 *     standby sees the holder alive by this number changing, whatever the clocks say
 * @param renewedAtMillis the holder's wall clock at its last renewal (epoch milliseconds)
 * @param released whether the holder gave the lease up on a clean exit (anyone may take it at once)
 */
public record SweepLease(long term, String host, long pid, long renewal, long renewedAtMillis, boolean released) {

  /** Checks the fields. */
  public SweepLease {
    if (term < 1) {
      throw new IllegalArgumentException("lease term must be >= 1, got " + term);
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("lease needs a host name");
    }
    if (renewal < 0) {
      throw new IllegalArgumentException("lease renewal count must be >= 0, got " + renewal);
    }
  }

  /** The holder as people read it: {@code host process pid}; also the holder name in the state file. */
  public String holder() {
    return holderName(host, pid);
  }

  /** Whether {@code host}/{@code pid} is this lease's holder. */
  public boolean heldBy(String otherHost, long otherPid) {
    return host.equals(otherHost) && pid == otherPid;
  }

  /** The holder name of process {@code pid} on {@code host}, as {@link #holder()} writes it. */
  public static String holderName(String host, long pid) {
    return host + " process " + pid;
  }
}
