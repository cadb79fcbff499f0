package dev.mmict.ops.run;

import java.util.Map;

/**
 * One line of a results table and of the JSON report.
 *
 * @param task the task's name
 * @param mode MMICT, VanillaICT or VanillaFT
 * @param demos whether the queries had demonstrations at evaluation
 * @param metrics metric name to value
 * @param samples evaluated queries
 * @param trainSeconds wall time of fine-tuning
 * @param finalLoss mean training loss over the last tenth of the steps
 */
public record ResultRow(String task, String mode, boolean demos, Map<String, Double> metrics, int samples,
    double trainSeconds, double finalLoss) { }
