package dev.mmict.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.MembershipEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The summary a coordinator node writes when the run ends ({@code mmict coordinator --summary
 * FILE}): the same keys as the run part of {@code mmict train --report}, plus which coordinator
 * incarnation and process finished the run, so that whoever watches a run with a standby can tell
 * who ended it. Written atomically (a temporary file renamed over the target).
 */
public final class RunSummaryFile {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunSummaryFile() { }

  /** Writes {@code summary} as finished by the coordinator of {@code incarnation} in this process. */
  public static void write(Path file, RunSummary summary, long incarnation) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("completed", summary.completed());
    m.put("detail", summary.detail());
    m.put("params_sha256", summary.parameterSha256());
    m.put("steps_run", summary.stepsCommitted());
    m.put("steps_aborted", summary.stepsAborted());
    m.put("losses", summary.losses());
    m.put("worker_process_ids", summary.processIds());
    m.put("coordinator_incarnation", incarnation);
    m.put("coordinator_process_id", ProcessHandle.current().pid());
    List<Map<String, Object>> events = new ArrayList<>();
    for (MembershipEvent e : summary.events()) {
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("time", e.time().toString());
      event.put("worker", e.workerId());
      event.put("kind", e.kind().name());
      event.put("step", e.step());
      event.put("detail", e.detail());
      events.add(event);
    }
    m.put("membership_events", events);
    List<Map<String, Object>> aborts = new ArrayList<>();
    for (RunSummary.AbortedAttempt a : summary.aborts()) {
      aborts.add(Map.of("step", a.step(), "plan_id", a.planId(), "reason", a.reason(), "failed_worker",
          a.failedWorker(), "detail", a.detail()));
    }
    m.put("aborted_attempts", aborts);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writeValue(tmp.toFile(), m);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads a summary file as a JSON tree; a file that is not JSON is an error naming it. */
  public static JsonNode read(Path file) throws IOException {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException("run summary " + file + " is not JSON: " + e.getMessage(), e);
    }
  }
}
