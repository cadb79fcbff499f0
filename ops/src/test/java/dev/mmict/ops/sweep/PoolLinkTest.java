package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.ops.ExitCodes;
import dev.mmict.protocol.v1.JoinTrial;
import dev.mmict.protocol.v1.PoolCommand;
import dev.mmict.protocol.v1.PoolEvent;
import dev.mmict.protocol.v1.PoolWorkerReady;
import dev.mmict.protocol.v1.TrialLeft;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's TCP link in one JVM, without training: workers (hand-driven links and the real agent)
 * join a {@link WorkerPool} on loopback, are welcomed or refused, report, and leave.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolLinkTest {

  @TempDir
  Path dir;

  @Test
  void endpointsAreHostColonPort() {
    InetSocketAddress a = PoolLink.endpoint("10.0.0.5:7355", "--pool-join");
    assertEquals("10.0.0.5", a.getHostString());
    assertEquals(7355, a.getPort());
    assertEquals("::1", PoolLink.endpoint("[::1]:80", "x").getHostString());
    for (String bad : new String[] {"10.0.0.5", ":7355", "host:", "host:http", "host:70000"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> PoolLink.endpoint(bad, "--pool-join"));
      assertTrue(e.getMessage().startsWith("--pool-join '" + bad + "'"), e.getMessage());
    }
  }

  private static PoolEvent hello(String id, int version) {
    return PoolEvent.newBuilder().setReady(PoolWorkerReady.newBuilder().setWorkerId(id).setPid(4242)
        .setProtocolVersionValue(version).setHost("127.0.0.1").setMachine("test-box")).build();
  }

  /** The next command on {@code link} other than a heartbeat; null at the end. */
  private static PoolCommand next(PoolLink link) throws Exception {
    String line;
    while ((line = link.readLine()) != null) {
      PoolCommand c = PoolWire.command(line).orElseThrow();
      if (!c.hasHeartbeat()) {
        return c;
      }
    }
    return null;
  }

  private static <T> T take(BlockingQueue<WorkerPool.Signal> signals, Class<T> type) throws InterruptedException {
    WorkerPool.Signal s = signals.poll(20, TimeUnit.SECONDS);
    return assertInstanceOf(type, s, "signal " + s);
  }

  @Test
  void joinedWorkersAreWelcomedServedAndDroppedAndDuplicatesAndOldVersionsAreRefused() throws Exception {
    BlockingQueue<WorkerPool.Signal> signals = new LinkedBlockingQueue<>();
    WorkerPool pool = new WorkerPool(dir.resolve("pool"), 256, "127.0.0.1:0", "test-sweep", signals::add);
    try {
      String endpoint = Files.readString(dir.resolve("pool").resolve("endpoint")).trim();
      assertEquals(pool.endpoint(), endpoint);
      assertTrue(endpoint.startsWith("127.0.0.1:") && !endpoint.endsWith(":0"), endpoint);
      InetSocketAddress at = PoolLink.endpoint(endpoint, "endpoint");

      try (PoolLink gpu = PoolLink.connect(at, Duration.ofSeconds(5))) {
        gpu.send(hello("gpu-7", 1));
        assertEquals("test-sweep", next(gpu).getWelcome().getSweep());
        WorkerPool.Ready ready = take(signals, WorkerPool.Ready.class);
        assertEquals(new WorkerPool.Ready("gpu-7", 4242, false), ready);
        assertEquals(List.of("gpu-7"), pool.live());
        assertTrue(pool.onThisMachine("gpu-7") == PoolWorkerAgent.machineName().equals("test-box"));

        try (PoolLink twin = PoolLink.connect(at, Duration.ofSeconds(5))) {
          twin.send(hello("gpu-7", 1));
          String reason = next(twin).getRefused().getReason();
          assertTrue(reason.contains("'gpu-7' is already in the pool"), reason);
          assertNull(twin.readLine(), "the sweep ends a refused connection");
        }
        try (PoolLink old = PoolLink.connect(at, Duration.ofSeconds(5))) {
          old.send(hello("old-1", 99));
          assertEquals("it speaks protocol version 99, this sweep 1", next(old).getRefused().getReason());
        }
        assertEquals(List.of("gpu-7"), pool.live());

        pool.join("gpu-7", JoinTrial.newBuilder().setTrialId("trial-001").setStopAt(4).build());
        assertEquals("trial-001", next(gpu).getJoinTrial().getTrialId());
        gpu.send(PoolEvent.newBuilder().setLeft(TrialLeft.newBuilder().setTrialId("trial-001").setStopAt(4)
            .setCompleted(true)).build());
        assertEquals("trial-001", take(signals, WorkerPool.Left.class).left().getTrialId());
      }
      WorkerPool.Died died = take(signals, WorkerPool.Died.class);
      assertEquals("gpu-7", died.id());
      assertEquals(false, died.local());
      assertEquals(List.of(), pool.live());
      assertTrue(signals.isEmpty(), "refused workers send no signals: " + signals);

      // The same id may join again once gone.
      try (PoolLink again = PoolLink.connect(at, Duration.ofSeconds(5))) {
        again.send(hello("gpu-7", 1));
        assertTrue(next(again).hasWelcome());
        take(signals, WorkerPool.Ready.class);
      }
      take(signals, WorkerPool.Died.class);
    } finally {
      pool.close();
    }
  }

  @Test
  void theAgentExitsOnARefusalAndOnTheSweepsShutdown() throws Exception {
    BlockingQueue<WorkerPool.Signal> signals = new LinkedBlockingQueue<>();
    WorkerPool pool = new WorkerPool(dir.resolve("pool"), 256, "127.0.0.1:0", "test-sweep", signals::add);
    InetSocketAddress at = PoolLink.endpoint(pool.endpoint(), "endpoint");
    PrintWriter log = new PrintWriter(new StringWriter());
    try {
      assertEquals(ExitCodes.CLUSTER_ERROR, PoolWorkerAgent.join(new PoolWorkerAgent.Options("old-1", "127.0.0.1", 99),
          at, Duration.ofSeconds(5), log), "refused for its version");
      CompletableFuture<Integer> agent = CompletableFuture.supplyAsync(() -> {
        try {
          return PoolWorkerAgent.join(new PoolWorkerAgent.Options("gpu-7", "127.0.0.1", 1), at,
              Duration.ofSeconds(5), log);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      assertEquals("gpu-7", take(signals, WorkerPool.Ready.class).id());
      pool.close();
      assertEquals(ExitCodes.OK, agent.get(20, TimeUnit.SECONDS));
    } finally {
      pool.close();
    }
    assertEquals(ExitCodes.CLUSTER_ERROR, PoolWorkerAgent.join(new PoolWorkerAgent.Options("gpu-7", "127.0.0.1", 1),
        at, Duration.ZERO, log), "nobody listens any more");
  }
}
