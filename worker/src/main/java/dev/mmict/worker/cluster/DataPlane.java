package dev.mmict.worker.cluster;

import dev.mmict.protocol.v1.ElementEncoding;
import dev.mmict.protocol.v1.ExchangePeer;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.worker.exchange.CountingTransport;
import dev.mmict.worker.exchange.ExchangeException;
import dev.mmict.worker.exchange.ExchangeRound;
import dev.mmict.worker.exchange.ExchangeSettings;
import dev.mmict.worker.exchange.FaultyTransport;
import dev.mmict.worker.exchange.RingAllReduce;
import dev.mmict.worker.exchange.TcpTransport;
import dev.mmict.worker.exchange.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's end of the gradient exchange between steps: one listening socket for the worker's
 * lifetime, and for every step attempt a fresh ring of TCP connections to the plan's peers
 * (in the plan's order), closed when the attempt's all-reduce ends. An attempt's connections
 * never outlive it, so an aborted attempt leaves nothing behind for the next one.
 */
public final class DataPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DataPlane.class);

  /**
   * A fault this worker injects into its own outgoing gradient chunks once, in the first attempt
   * of {@code step}: its first non-empty chunk suffers {@code kind}. For tests and failure drills
   * only; the receiving peer must detect it and the step must be retried.
   */
  public record InjectedFault(FaultyTransport.Fault kind, long step) { }

  private final ServerSocket listener;
  private final ExchangeSettings settings;
  private volatile TcpTransport open;
  private volatile InjectedFault fault;
  private final AtomicLong sentBytes = new AtomicLong();

  /** Listens on {@code host}:{@code port} (0: any free port). */
  public DataPlane(String host, int port, ExchangeSettings settings) throws IOException {
    this.listener = TcpTransport.listen(new InetSocketAddress(host, port));
    this.settings = settings;
  }

  /** Arms {@code fault} (null: none); it fires at most once. */
  public void injectFault(InjectedFault fault) {
    this.fault = fault;
  }

  /** The host peers connect to. */
  public String host() {
    return listener.getInetAddress().getHostAddress();
  }

  /** The port peers connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /**
   * Sums {@code contribution}'s buffer over every peer of {@code plan}, in place.
   *
   * @throws ExchangeException when a peer fails, times out or sends a bad chunk
   * @throws IOException when the ring cannot be connected
   */
  public void allReduce(StepPlan plan, String self, Replica.Contribution contribution)
      throws ExchangeException, IOException, InterruptedException {
    List<InetSocketAddress> peers = new ArrayList<>();
    int rank = -1;
    for (ExchangePeer p : plan.getPeersList()) {
      if (p.getWorkerId().equals(self)) {
        rank = peers.size();
      }
      peers.add(new InetSocketAddress(p.getDataPlane().getHost(), p.getDataPlane().getPort()));
    }
    if (rank < 0) {
      throw new IllegalArgumentException("plan " + plan.getPlanId() + " of step " + plan.getStep()
          + " does not list worker " + self + " among its peers");
    }
    if (peers.size() == 1) {
      return;
    }
    ExchangeRound round = new ExchangeRound(plan.getStep(), planNumber(plan));
    try (TcpTransport transport = TcpTransport.open(listener, rank, peers, round, settings.timeout())) {
      open = transport;
      Transport wire = new CountingTransport(transport, sentBytes);
      InjectedFault f = fault;
      if (f != null && f.step() == plan.getStep() && plan.getAttempt() == 0) {
        fault = null;
        LOG.warn("step {} plan {}: injecting the fault {} into this worker's first non-empty outgoing chunk",
            plan.getStep(), plan.getPlanId(), f.kind());
        wire = new FaultyTransport(transport, f.kind(), chunk -> !chunk.getPayload().isEmpty());
      }
      RingAllReduce ring = new RingAllReduce(wire, settings);
      if (contribution.fixed() != null) {
        ring.allReduceFixed(round, contribution.fixed());
      } else {
        ring.allReduceFloats(round, contribution.floats(), ElementEncoding.ELEMENT_ENCODING_FP32);
      }
    } finally {
      open = null;
    }
  }

  /**
   * Bytes of gradient chunks this data plane has sent since it opened, over every attempt
   * (aborted ones too): serialized chunk sizes, for metrics.
   */
  public long bytesSent() {
    return sentBytes.get();
  }

  /** Breaks the attempt in flight, if any: its all-reduce fails at once (the step was aborted). */
  public void interrupt() {
    TcpTransport t = open;
    if (t != null) {
      t.close();
    }
  }

  /** The plan id as the data plane's increasing number (the coordinator writes it in decimal). */
  static long planNumber(StepPlan plan) {
    try {
      return Long.parseLong(plan.getPlanId());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("plan id '" + plan.getPlanId() + "' of step " + plan.getStep()
          + " is not the decimal number this worker's data plane orders attempts by", e);
    }
  }

  @Override
  public void close() throws IOException {
    interrupt();
    listener.close();
  }
}
