package dev.mmict.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The shipped {@code logback.xml} (not the tests' one): one line per event carrying the run and
 * node, third-party libraries quiet below WARN.
 */
class LogbackConfigTest {

  @Test
  void oneLinePerEventWithRunAndNodeAndQuietLibraries() throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter()); // the MDC LogContext writes to, as in the real binding
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      try (InputStream in = LogbackConfigTest.class.getResourceAsStream("/logback.xml")) {
        configurator.doConfigure(in);
      }
      Logger ours = context.getLogger("dev.mmict.ops.run.LocalOperations");
      try (LogContext ignored = LogContext.open("run-7", "worker-2")) {
        ours.info("step 3\nloss 1.5");
        ours.warn("failed", new IllegalStateException("bad\nthing"));
      }
      ours.info("outside any run");
      context.getLogger("org.apache.pekko.cluster").info("pekko chatter");
      context.getLogger("ai.djl.engine").info("djl chatter");
      context.getLogger("io.netty.channel").info("netty chatter");
      context.getLogger("io.netty.channel").warn("netty warning");
    } finally {
      context.stop();
      System.setErr(original);
    }
    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(4, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains(" INFO  [run-7@worker-2] [") && lines.get(0).endsWith(" - step 3 | loss 1.5"),
        lines.get(0));
    assertTrue(lines.get(1).contains("[run-7@worker-2]") && lines.get(1).contains("failed | java.lang.IllegalStateException: bad | thing"),
        lines.get(1));
    assertTrue(lines.get(2).endsWith(" - outside any run") && !lines.get(2).contains("@"), lines.get(2));
    assertTrue(lines.get(3).contains("netty warning"), lines.get(3));
    assertFalse(String.join("\n", lines).contains("chatter"));
  }
}
