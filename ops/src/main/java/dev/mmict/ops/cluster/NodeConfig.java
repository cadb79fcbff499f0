package dev.mmict.ops.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The Pekko configuration of an mmict cluster node: Artery on a given host and port, one role,
 * failure detection tuned for fast recovery, the split brain resolver on, Pekko's logging sent
 * through SLF4J (stdout stays for results), and a shutdown that waits for a graceful leave.
 */
public final class NodeConfig {

  /** Name of the actor system on every node (it is part of every node address). */
  public static final String SYSTEM_NAME = "mmict";

  private NodeConfig() { }

  /** The configuration of a node with {@code role} listening on {@code host}:{@code port} (0: any free port). */
  public static Config of(String role, String host, int port) {
    String text = String.join("\n",
        "pekko {",
        "  loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
        "  logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
        "  loglevel = INFO",
        "  stdout-loglevel = OFF",
        "  log-dead-letters = 0",
        "  log-dead-letters-during-shutdown = off",
        "  actor.provider = cluster",
        "  remote.artery.canonical.hostname = \"" + host + "\"",
        "  remote.artery.canonical.port = " + port,
        "  cluster {",
        "    roles = [\"" + role + "\"]",
        "    jmx.enabled = off",
        "    log-info = off",
        "    downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"",
        // keep-oldest, not keep-majority: with two coordinator nodes Up and the workers still Joining
        // (early in a run, on a loaded machine), the active coordinator's death left a 1-1 tie that
        // keep-majority broke by address, downing the standby and every worker with it. The oldest
        // node is the first coordinator; when it dies alone the others remove it (down-if-alone).
        "    split-brain-resolver.active-strategy = keep-oldest",
        "    split-brain-resolver.keep-oldest.down-if-alone = on",
        "    split-brain-resolver.stable-after = 3s",
        "    failure-detector.heartbeat-interval = 500ms",
        "    failure-detector.acceptable-heartbeat-pause = 1.5s",
        "    singleton.hand-over-retry-interval = 500ms",
        "  }",
        "  coordinated-shutdown {",
        "    exit-jvm = off",
        "    phases.before-service-unbind.timeout = 90s",
        "  }",
        "}");
    return ConfigFactory.parseString(text).withFallback(ConfigFactory.load());
  }
}
