package dev.mmict.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.Main;
import dev.mmict.ops.run.LocalOperations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  @TempDir
  Path dir;

  @Test
  void exchangeBenchmarkPrintsFiguresAndWritesRatioAndFigures() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter o = new PrintWriter(out, true);
    Path report = dir.resolve("exchange.json");
    int code = Main.run(new String[] {"bench", "exchange", "--ranks", "2", "--sizes-mib", "1", "--iterations", "1",
        "--report", report.toString()}, o, new PrintWriter(err, true), Map.of(), new LocalOperations(o));
    assertEquals(ExitCodes.OK, code, err.toString());
    assertTrue(out.toString().contains("ratio"), out.toString());
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    double ratio = json.get("ratio").asDouble();
    assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
    assertEquals(2, json.get("figures").get("ranks").asInt());
    assertTrue(json.get("figures").get("1mib.allreduce_fp32_gbps").asDouble() > 0);
  }
}
