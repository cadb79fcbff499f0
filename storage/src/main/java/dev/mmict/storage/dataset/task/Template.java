package dev.mmict.storage.dataset.task;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text templates with {@code {placeholder}} slots, e.g. "a {size} {colour} {shape}.".
 *
 * <p>After filling, "a" before a vowel becomes "an" ("an orange circle"), but only for words that
 * came from the template or from attribute values: values marked verbatim (nonsense names,
 * already rendered prompts and targets) are inserted afterwards, so "this is a {name}." stays
 * consistent with a prompt ending in "this is a" whatever the name.
 */
public final class Template {

  private static final Pattern SLOT = Pattern.compile("\\{([a-z_]+)}");
  private static final Pattern ARTICLE = Pattern.compile("\\b([Aa]) (?=[aeiouAEIOU])");

  private Template() {}

  /** The placeholder names used in {@code template}, in order of first use. */
  public static Set<String> placeholders(String template) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = SLOT.matcher(template);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * Fills {@code template}: first the {@code values} (then articles are fixed), then the {@code
   * verbatim} values untouched. A placeholder in neither map is an error.
   */
  public static String render(
      String template, Map<String, String> values, Map<String, String> verbatim) {
    String first = fill(template, values, verbatim, true);
    first = ARTICLE.matcher(first).replaceAll("$1n ");
    return fill(first, verbatim, Map.of(), false);
  }

  private static String fill(
      String text, Map<String, String> values, Map<String, String> later, boolean keepLater) {
    Matcher m = SLOT.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String key = m.group(1);
      String value = values.get(key);
      if (value == null) {
        if (keepLater && later.containsKey(key)) {
          value = m.group();
        } else {
          throw new IllegalArgumentException(
              "template '" + text + "' uses {" + key + "} which has no value here");
        }
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
