package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

  @Test
  void aChildLogsAtThePropertyElseTheEnvironmentVariableElseInfo() {
    assertEquals("WARN", ChildJvm.logLevel("WARN", "DEBUG"), "the property wins, as in logback.xml");
    assertEquals("DEBUG", ChildJvm.logLevel(null, "DEBUG"), "MMICT_LOG_LEVEL=DEBUG reaches the nodes");
    assertEquals("DEBUG", ChildJvm.logLevel(" ", "DEBUG"));
    assertEquals("INFO", ChildJvm.logLevel(null, null));
    assertEquals("INFO", ChildJvm.logLevel(null, ""));
  }

  @Test
  void theCommandStartsWithOurFlagsAndEndsWithTheClassPath() {
    List<String> cmd = ChildJvm.command(512, "-Dextra=1");
    assertTrue(cmd.get(0).endsWith("java"), cmd.toString());
    assertEquals("-Xmx512m", cmd.get(1));
    assertTrue(cmd.contains("-Dai.djl.offline=true"), cmd.toString());
    assertTrue(cmd.stream().anyMatch(a -> a.startsWith("-Dmmict.log.level=")), cmd.toString());
    assertEquals("-Dextra=1", cmd.get(cmd.size() - 3));
    assertEquals("-cp", cmd.get(cmd.size() - 2));
    assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.size() - 1));
  }
}
