package dev.mmict.worker.exchange;

import dev.mmict.protocol.v1.ElementEncoding;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code mmict bench exchange}: goodput of the TCP ring all-reduce on loopback against plain Java
 * sockets moving the same bytes, measured in the same run.
 *
 * <p>For a vector of {@code V} bytes on {@code N} ranks, every rank sends {@code 2 (N-1)/N * V}
 * bytes to its ring successor. Goodput = those bytes / wall time of one all-reduce (the slowest
 * rank), i.e. the per-link rate ("bus bandwidth"). Baselines, over the same loopback interface:
 * {@code socket_ring}, {@code N} plain sockets in a ring each streaming that many bytes at the
 * same time (same links, same concurrency: the fair comparison, {@code ratio}); and {@code
 * socket_single}, one socket alone. Each socket moves a byte array of that size into another
 * (writes and reads of one chunk's size), as the all-reduce moves its vector. Times are medians
 * over the iterations, after warm-up. The process CPU time of each iteration is reported too
 * ({@code cpu_ratio}: socket ring CPU / all-reduce CPU), the steadier figure on a shared machine.
 */
public final class ExchangeBenchmark {

  /**
   * What to measure.
   *
   * @param ranks ring size
   * @param vectorMiB vector sizes in MiB of FP32 gradients
   * @param warmups untimed iterations per measurement
   * @param iterations timed iterations per measurement
   * @param chunkElements elements per chunk of the all-reduce
   */
  public record Settings(int ranks, List<Integer> vectorMiB, int warmups, int iterations, int chunkElements) {
    /** 3 ranks, 4 and 16 MiB, 2 warm-ups, 5 timed iterations, 64 Ki-element chunks. */
    public static final Settings DEFAULTS = new Settings(3, List.of(4, 16), 2, 5, 64 * 1024);

    /** Validates. */
    public Settings {
      if (ranks < 2 || vectorMiB.isEmpty() || warmups < 0 || iterations < 1 || chunkElements < 1) {
        throw new IllegalArgumentException("benchmark needs ranks >= 2, a size, iterations >= 1: " + ranks
            + ", " + vectorMiB + ", " + iterations);
      }
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private ExchangeBenchmark() {}

  /** Runs with {@link Settings#DEFAULTS}, or {@code --ranks N --sizes-mib 4,16 --iterations I --chunk-elements C}. */
  public static void main(String[] args) throws Exception {
    Settings s = Settings.DEFAULTS;
    int ranks = s.ranks();
    List<Integer> sizes = s.vectorMiB();
    int iterations = s.iterations();
    int chunk = s.chunkElements();
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--ranks" -> ranks = Integer.parseInt(value);
        case "--sizes-mib" -> sizes = Arrays.stream(value.split(",")).map(String::trim).map(Integer::valueOf).toList();
        case "--iterations" -> iterations = Integer.parseInt(value);
        case "--chunk-elements" -> chunk = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (known: --ranks, --sizes-mib, --iterations, --chunk-elements)");
      }
      i++;
    }
    Map<String, Object> figures = run(new Settings(ranks, sizes, s.warmups(), iterations, chunk));
    System.out.print(format(figures));
  }

  /**
   * Measures every size; the map holds per-size figures under {@code "<MiB>mib.<name>"} (GB/s =
   * 10^9 bytes/s, seconds), {@code ratio} (the smallest FP32 all-reduce / socket-ring goodput ratio
   * over the sizes) and the settings.
   */
  public static Map<String, Object> run(Settings settings) throws Exception {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("ranks", settings.ranks());
    figures.put("chunk_elements", settings.chunkElements());
    figures.put("iterations", settings.iterations());
    // Untimed: let the JIT compile the codec, CRC and ring paths before anything is measured, so
    // the first measurement does not pay for it.
    int warmElements = Math.min(settings.vectorMiB().get(0), 4) << 18;
    Settings warm = new Settings(settings.ranks(), settings.vectorMiB(), 0, 3 + settings.warmups(), settings.chunkElements());
    allReduce(warm, warmElements, false);
    allReduce(warm, warmElements, true);
    double worstRatio = Double.MAX_VALUE;
    for (int mib : settings.vectorMiB()) {
      int elements = mib << 18; // 2^20 bytes / 4 bytes per float
      int n = settings.ranks();
      long linkBytes = 2L * (n - 1) * ((long) elements * 4) / n;
      String p = mib + "mib.";
      figures.put(p + "bytes_per_link", linkBytes);

      double single = median(socketRing(1, linkBytes, settings, settings.chunkElements() * 4).seconds());
      Timing ringTiming = socketRing(n, linkBytes, settings, settings.chunkElements() * 4);
      Timing fp32Timing = allReduce(settings, elements, false);
      double ring = median(ringTiming.seconds());
      double fp32 = median(fp32Timing.seconds());
      double fixed = median(allReduce(settings, elements, true).seconds());
      // Process CPU time is counted in clock ticks (10 ms): the mean over every timed iteration
      // is steadier than a median of single ones.
      double ringCpu = mean(ringTiming.cpuSeconds());
      double fp32Cpu = mean(fp32Timing.cpuSeconds());

      figures.put(p + "socket_single_gbps", linkBytes / single / 1e9);
      figures.put(p + "socket_ring_gbps", linkBytes / ring / 1e9);
      figures.put(p + "allreduce_fp32_seconds", fp32);
      figures.put(p + "allreduce_fp32_gbps", linkBytes / fp32 / 1e9);
      figures.put(p + "allreduce_fixed64_seconds", fixed);
      figures.put(p + "allreduce_fixed64_wire_gbps", 2 * linkBytes / fixed / 1e9); // 8-byte elements
      double ratio = ring / fp32; // = allreduce goodput / socket-ring goodput
      figures.put(p + "ratio", ratio);
      figures.put(p + "ratio_vs_single_socket", single / fp32);
      figures.put(p + "ratio_fixed64_wire", 2 * ring / fixed);
      // CPU seconds of the whole process per iteration (every thread, kernel time of its system
      // calls included): unlike wall time it barely moves when other processes share the cores.
      figures.put(p + "socket_ring_cpu_seconds", ringCpu);
      figures.put(p + "allreduce_fp32_cpu_seconds", fp32Cpu);
      figures.put(p + "cpu_ratio", ringCpu > 0 && fp32Cpu > 0 ? ringCpu / fp32Cpu : -1.0);
      worstRatio = Math.min(worstRatio, ratio);
    }
    figures.put("ratio", worstRatio);
    return figures;
  }

  /** The figures as aligned {@code name value} lines. */
  public static String format(Map<String, Object> figures) {
    StringBuilder out = new StringBuilder("exchange benchmark (loopback TCP)\n");
    for (Map.Entry<String, Object> e : figures.entrySet()) {
      Object v = e.getValue();
      String text = v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v);
      out.append(String.format(Locale.ROOT, "  %-36s %s%n", e.getKey(), text));
    }
    return out.toString();
  }

  /** Seconds per iteration for {@code links} plain sockets each streaming {@code bytes} at once. */
  private static Timing socketRing(int links, long bytes, Settings settings, int blockBytes) throws Exception {
    List<ServerSocket> listeners = new ArrayList<>();
    List<Socket> senders = new ArrayList<>();
    List<Socket> receivers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2 * links);
    try {
      for (int i = 0; i < links; i++) {
        // A plain java.net listener (not TcpTransport.listen's channel): the baseline is plain sockets.
        ServerSocket l = new ServerSocket();
        listeners.add(l);
        l.setReuseAddress(true);
        l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(l.getLocalSocketAddress(), 10_000);
        l.setSoTimeout(10_000);
        senders.add(s);
        receivers.add(l.accept());
      }
      int rounds = settings.warmups() + settings.iterations();
      CpuClock cpu = new CpuClock(rounds, 2 * links);
      AtomicLong start = new AtomicLong();
      CyclicBarrier barrier = new CyclicBarrier(2 * links, () -> {
        cpu.start();
        start.set(System.nanoTime());
      });
      AtomicLongArray end = new AtomicLongArray(rounds);
      long[] starts = new long[rounds];
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < links; i++) {
        OutputStream out = senders.get(i).getOutputStream();
        InputStream in = receivers.get(i).getInputStream();
        // From a buffer of the bytes to send into one of the same size, as the all-reduce moves
        // its vector: the baseline pays for touching that memory too, not only for the kernel path.
        futures.add(pool.submit(() -> {
          byte[] source = new byte[(int) bytes];
          Arrays.fill(source, (byte) 7);
          for (int r = 0; r < rounds; r++) {
            barrier.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            for (int at = 0; at < source.length; at += blockBytes) {
              out.write(source, at, Math.min(blockBytes, source.length - at));
            }
            out.flush();
            cpu.end(r);
          }
          return null;
        }));
        futures.add(pool.submit(() -> {
          byte[] target = new byte[(int) bytes];
          for (int r = 0; r < rounds; r++) {
            barrier.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            starts[r] = start.get();
            int at = 0;
            while (at < target.length) {
              int got = in.read(target, at, Math.min(blockBytes, target.length - at));
              if (got < 0) {
                throw new IOException("socket baseline: stream ended with " + (target.length - at) + " bytes to go");
              }
              at += got;
            }
            end.accumulateAndGet(r, System.nanoTime(), Math::max);
            cpu.end(r);
          }
          return null;
        }));
      }
      await(futures);
      return new Timing(timed(starts, end, settings), cpu.timed(settings.warmups()));
    } finally {
      pool.shutdownNow();
      for (Socket s : senders) {
        s.close();
      }
      for (Socket s : receivers) {
        s.close();
      }
      for (ServerSocket l : listeners) {
        l.close();
      }
    }
  }

  /** Seconds per ring all-reduce of {@code elements} (FP32 or FIXED64) over TCP, slowest rank. */
  private static Timing allReduce(Settings settings, int elements, boolean fixed) throws Exception {
    int n = settings.ranks();
    List<ServerSocket> listeners = new ArrayList<>();
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      ServerSocket l = TcpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      listeners.add(l);
      peers.add((InetSocketAddress) l.getLocalSocketAddress());
    }
    int rounds = settings.warmups() + settings.iterations();
    CpuClock cpu = new CpuClock(rounds, n);
    AtomicLong start = new AtomicLong();
    CyclicBarrier barrier = new CyclicBarrier(n, () -> {
      cpu.start();
      start.set(System.nanoTime());
    });
    AtomicLongArray end = new AtomicLongArray(rounds);
    long[] starts = new long[rounds];
    ExchangeSettings exchange = new ExchangeSettings(settings.chunkElements(), TIMEOUT);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        int rank = r;
        futures.add(pool.submit(() -> {
          try (TcpTransport t = TcpTransport.open(listeners.get(rank), rank, peers, new ExchangeRound(0, 0), TIMEOUT)) {
            RingAllReduce ring = new RingAllReduce(t, exchange);
            float[] floats = fixed ? null : new float[elements];
            long[] longs = fixed ? new long[elements] : null;
            for (int round = 0; round < rounds; round++) {
              if (fixed) {
                Arrays.fill(longs, rank + 1L);
              } else {
                Arrays.fill(floats, rank + 1f);
              }
              barrier.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
              starts[round] = start.get();
              ExchangeRound tag = new ExchangeRound(round, 1);
              if (fixed) {
                ring.allReduceFixed(tag, longs);
              } else {
                ring.allReduceFloats(tag, floats, ElementEncoding.ELEMENT_ENCODING_FP32);
              }
              end.accumulateAndGet(round, System.nanoTime(), Math::max);
              cpu.end(round);
              double expected = n * (n + 1) / 2.0; // sum of rank + 1
              double first = fixed ? longs[0] : floats[0];
              double last = fixed ? longs[elements - 1] : floats[elements - 1];
              if (first != expected || last != expected) {
                throw new IllegalStateException("benchmark all-reduce gave " + first + ".." + last
                    + " instead of " + expected + " on rank " + rank);
              }
            }
          }
          return null;
        }));
      }
      await(futures);
      return new Timing(timed(starts, end, settings), cpu.timed(settings.warmups()));
    } finally {
      pool.shutdownNow();
      for (ServerSocket l : listeners) {
        l.close();
      }
    }
  }

  /** Wall seconds and process CPU seconds of each timed iteration. */
  private record Timing(double[] seconds, double[] cpuSeconds) { }

  /**
   * Process CPU time per iteration: read when the start barrier trips and when the last of the
   * iteration's {@code parties} threads has finished it (-1 where the JVM cannot tell).
   */
  private static final class CpuClock {
    private final long[] begin;
    private final long[] finish;
    private final java.util.concurrent.atomic.AtomicIntegerArray done;
    private final int parties;
    private int round = -1;

    CpuClock(int rounds, int parties) {
      this.begin = new long[rounds];
      this.finish = new long[rounds];
      this.done = new java.util.concurrent.atomic.AtomicIntegerArray(rounds);
      this.parties = parties;
    }

    /** The barrier action: the next iteration starts. */
    void start() {
      round++;
      begin[round] = processCpuNanos();
    }

    /** One thread finished iteration {@code r}; the last one reads the clock. */
    void end(int r) {
      if (done.incrementAndGet(r) == parties) {
        finish[r] = processCpuNanos();
      }
    }

    double[] timed(int warmups) {
      double[] out = new double[begin.length - warmups];
      for (int i = 0; i < out.length; i++) {
        long b = begin[warmups + i];
        long f = finish[warmups + i];
        out[i] = b < 0 || f < 0 ? -1 : (f - b) / 1e9;
      }
      return out;
    }

    private static long processCpuNanos() {
      if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean os) {
        return os.getProcessCpuTime();
      }
      return -1;
    }
  }

  private static double[] timed(long[] starts, AtomicLongArray end, Settings settings) {
    double[] seconds = new double[settings.iterations()];
    for (int i = 0; i < seconds.length; i++) {
      int round = settings.warmups() + i;
      seconds[i] = (end.get(round) - starts[round]) / 1e9;
    }
    return seconds;
  }

  private static void await(List<Future<?>> futures) throws Exception {
    for (Future<?> f : futures) {
      try {
        f.get(5 * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new IllegalStateException("benchmark thread failed: " + e.getCause(), e.getCause());
      }
    }
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      if (v < 0) {
        return -1; // the JVM cannot read its CPU time
      }
      sum += v;
    }
    return sum / values.length;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
}
