package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the benchmark on a tiny vector: it must complete and report consistent figures (no timing asserted). */
class ExchangeBenchmarkTest {

  @Test
  void tinyRunReportsEveryFigure() throws Exception {
    Map<String, Object> figures = ExchangeBenchmark.run(new ExchangeBenchmark.Settings(3, List.of(1), 0, 1, 16 * 1024));
    long linkBytes = (Long) figures.get("1mib.bytes_per_link");
    assertEquals(2L * 2 * (1 << 20) / 3, linkBytes);
    for (String key : List.of("socket_single_gbps", "socket_ring_gbps", "allreduce_fp32_gbps",
        "allreduce_fixed64_wire_gbps", "ratio")) {
      double v = (Double) figures.get("1mib." + key);
      assertTrue(v > 0 && Double.isFinite(v), key + " = " + v);
    }
    assertEquals(figures.get("1mib.ratio"), figures.get("ratio"));
    double gbps = (Double) figures.get("1mib.allreduce_fp32_gbps");
    double seconds = (Double) figures.get("1mib.allreduce_fp32_seconds");
    assertEquals(linkBytes / seconds / 1e9, gbps, 1e-9 * gbps);
    assertTrue(ExchangeBenchmark.format(figures).contains("1mib.ratio"));
  }
}
