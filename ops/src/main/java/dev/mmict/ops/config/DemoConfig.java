package dev.mmict.ops.config;

import java.util.List;

/**
 * What {@code mmict demo} compares: every mode fine-tuned on every task from the same backbone
 * with the {@code trainer} settings, then evaluated with the {@code eval} settings.
 *
 * @param tasks downstream tasks
 * @param modes sequence formats to compare
 * @param alsoWithoutDemos also evaluate the MMICT model with no demonstrations
 */
public record DemoConfig(List<String> tasks, List<String> modes, boolean alsoWithoutDemos) {

    /** Checks the lists. */
    public DemoConfig {
        if (tasks.isEmpty() || modes.isEmpty()) {
            throw new IllegalArgumentException("tasks and modes must each name at least one entry");
        }
        for (String m : modes) {
            if (!List.of("MMICT", "VanillaICT", "VanillaFT").contains(m)) {
                throw new IllegalArgumentException("unknown mode '" + m + "' (expected MMICT, VanillaICT or VanillaFT)");
            }
        }
    }

    /** Captioning and fast binding, every mode. */
    public static DemoConfig defaults() {
        return new DemoConfig(List.of("shapes-caption", "shapes-fastbinding"),
                List.of("MMICT", "VanillaICT", "VanillaFT"), true);
    }
}
