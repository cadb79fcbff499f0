package dev.mmict.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The readable summary {@code mmict status} prints from a {@link StatusJson} document: one line for
 * the run (step, epoch, loss, throughput, aborted attempts), a table of workers, the cluster's
 * nodes, and the recent membership events, oldest first. Missing values print as {@code -}.
 */
public final class StatusText {

  private StatusText() { }

  /** The summary of {@code status}, lines ending in a newline. */
  public static String format(JsonNode status) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "run %s on coordinator %s%n", text(status, "run"), text(status, "coordinator")));
    out.append(String.format(Locale.ROOT,
        "step %s (epoch %s, %s queries into it)  loss %s  %s queries/s  aborted attempts %s%n",
        text(status, "step"), text(status, "epoch"), text(status, "position_in_epoch"),
        number(status.get("last_loss"), "%.4f"), number(status.get("samples_per_second"), "%.2f"),
        text(status, "steps_aborted")));

    JsonNode members = status.path("members");
    out.append(String.format(Locale.ROOT, "%nworkers (%d):%n", members.size()));
    if (members.size() > 0) {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"WORKER", "STATE", "LAST STEP", "QUERIES/S", "PROCESS", "NODE"});
      for (JsonNode m : members) {
        rows.add(new String[] {text(m, "worker_id"), text(m, "state"), text(m, "last_completed_step"),
            number(m.get("samples_per_second"), "%.2f"), text(m, "process_id"), text(m, "node_address")});
      }
      table(out, rows);
    }

    JsonNode nodes = status.path("nodes");
    out.append(String.format(Locale.ROOT, "%nnodes (%d):%n", nodes.size()));
    for (JsonNode n : nodes) {
      List<String> roles = new ArrayList<>();
      n.path("roles").forEach(r -> roles.add(r.asText()));
      out.append(String.format(Locale.ROOT, "  %s  %s  %s%s%n", text(n, "address"), String.join(",", roles),
          text(n, "status"), n.path("reachable").asBoolean(true) ? "" : "  UNREACHABLE"));
    }

    JsonNode events = status.path("recent_events");
    out.append(String.format(Locale.ROOT, "%nrecent events (%d, oldest first):%n", events.size()));
    for (JsonNode e : events) {
      String detail = text(e, "detail");
      out.append(String.format(Locale.ROOT, "  %s  %-10s %-9s step %s%s%n", text(e, "time"), text(e, "worker_id"),
          text(e, "kind"), text(e, "step"), detail.equals("-") || detail.isEmpty() ? "" : "  " + detail));
    }
    return out.toString();
  }

  /** Appends {@code rows} as left-aligned columns two spaces apart, indented by two. */
  private static void table(StringBuilder out, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder(" ");
      for (int i = 0; i < row.length; i++) {
        line.append(' ').append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s ", row[i]));
      }
      out.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? "-" : v.asText();
  }

  private static String number(JsonNode v, String format) {
    return v == null || v.isNull() || !v.isNumber() ? "-" : String.format(Locale.ROOT, format, v.asDouble());
  }
}
