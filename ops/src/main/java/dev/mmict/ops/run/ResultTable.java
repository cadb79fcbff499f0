package dev.mmict.ops.run;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Formats result rows as a Markdown table (task × mode × metrics) that also reads well in a terminal. */
final class ResultTable {
  private ResultTable() { }

  static String markdown(List<ResultRow> rows) {
    Set<String> metrics = new LinkedHashSet<>();
    rows.forEach(r -> metrics.addAll(r.metrics().keySet()));
    List<String> header = new ArrayList<>(List.of("task", "mode", "demos"));
    header.addAll(metrics);
    header.add("samples");
    List<List<String>> cells = new ArrayList<>();
    for (ResultRow r : rows) {
      List<String> c = new ArrayList<>(List.of(r.task(), r.mode(), r.demos() ? "yes" : "no"));
      for (String m : metrics) {
        Double v = r.metrics().get(m);
        c.add(v == null ? "" : String.format("%.3f", v));
      }
      c.add(Integer.toString(r.samples()));
      cells.add(c);
    }
    int[] width = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      width[i] = header.get(i).length();
      for (List<String> c : cells) {
        width[i] = Math.max(width[i], c.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, header, width);
    List<String> rule = new ArrayList<>();
    for (int w : width) {
      rule.add("-".repeat(w));
    }
    line(sb, rule, width);
    cells.forEach(c -> line(sb, c, width));
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] width) {
    sb.append('|');
    for (int i = 0; i < cells.size(); i++) {
      sb.append(' ').append(String.format("%-" + width[i] + "s", cells.get(i))).append(" |");
    }
    sb.append('\n');
  }
}
