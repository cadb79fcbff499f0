package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.protocol.v1.PoolWorkerReady;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who the pool takes: local workers it started, joined ones from anywhere, and whom it refuses. */
class PoolMembersTest {

  private static PoolWorkerReady hello(String id, long pid, int version, String machine) {
    return PoolWorkerReady.newBuilder().setWorkerId(id).setPid(pid).setProtocolVersionValue(version)
        .setMachine(machine).setHost("10.0.0.7").build();
  }

  @Test
  void startedWorkersAreStartingUntilTheyJoinAndJoinedOnesAreMembersAtOnce() {
    PoolMembers m = new PoolMembers(1);
    String first = m.nextLocalId();
    String second = m.nextLocalId();
    assertEquals(List.of("pool-1", "pool-2"), List.of(first, second));
    m.started(first, 100);
    m.started(second, 101);
    assertEquals(2, m.starting());
    assertEquals(List.of(), m.live());

    PoolMembers.Admission a = m.admit(hello("pool-1", 100, 1, "sweep-box"));
    assertTrue(assertInstanceOf(PoolMembers.Admitted.class, a).member().local());
    PoolMembers.Admission b = m.admit(hello("gpu-7", 555, 1, "gpu-box"));
    PoolMembers.Member joined = assertInstanceOf(PoolMembers.Admitted.class, b).member();
    assertFalse(joined.local());
    assertEquals("gpu-box", joined.machine());
    assertEquals(1, m.starting());
    assertEquals(List.of("gpu-7", "pool-1"), m.live(), "sorted by id, local and joined alike");

    // pool-2 dies before it joins; the joined worker's connection ends.
    assertTrue(m.endedStarting("pool-2"));
    assertFalse(m.endedStarting("pool-1"), "pool-1 had joined: its end comes from its connection");
    assertEquals(Optional.of(joined), m.drop("gpu-7"));
    assertEquals(Optional.empty(), m.drop("gpu-7"));
    assertEquals(List.of("pool-1"), m.live());
    assertEquals(0, m.starting());
  }

  @Test
  void aWrongVersionABadIdOrAnIdInUseIsRefusedWithTheReason() {
    PoolMembers m = new PoolMembers(1);
    m.started(m.nextLocalId(), 100);

    PoolMembers.Refused version = assertInstanceOf(PoolMembers.Refused.class, m.admit(hello("gpu-7", 5, 99, "x")));
    assertEquals("it speaks protocol version 99, this sweep 1", version.reason());
    PoolMembers.Refused badId = assertInstanceOf(PoolMembers.Refused.class, m.admit(hello("../etc", 5, 1, "x")));
    assertTrue(badId.reason().startsWith("'../etc' is not a worker id"), badId.reason());
    assertInstanceOf(PoolMembers.Refused.class, m.admit(hello("", 5, 1, "x")));

    assertInstanceOf(PoolMembers.Admitted.class, m.admit(hello("gpu-7", 5, 1, "gpu-box")));
    PoolMembers.Refused twice = assertInstanceOf(PoolMembers.Refused.class, m.admit(hello("gpu-7", 6, 1, "other")));
    assertEquals("a worker 'gpu-7' is already in the pool (process 5 on gpu-box); give each worker its own --id",
        twice.reason());
    // Someone else claiming the id of a worker the sweep started (and that has not joined yet).
    PoolMembers.Refused claimed = assertInstanceOf(PoolMembers.Refused.class, m.admit(hello("pool-1", 7, 1, "x")));
    assertTrue(claimed.reason().contains("process 100"), claimed.reason());
    assertEquals(List.of("gpu-7"), m.live(), "refusals change nothing");
    assertEquals(1, m.starting());

    // Once gone, the id may join again.
    m.drop("gpu-7");
    assertInstanceOf(PoolMembers.Admitted.class, m.admit(hello("gpu-7", 8, 1, "gpu-box")));
  }

  @Test
  void localIdsSkipIdsThatJoinedWorkersTook() {
    PoolMembers m = new PoolMembers(1);
    assertInstanceOf(PoolMembers.Admitted.class, m.admit(hello("pool-1", 9, 1, "elsewhere")));
    assertEquals("pool-2", m.nextLocalId());
  }
}
