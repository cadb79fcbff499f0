package dev.mmict.worker.train;

/** Observes training steps (progress bars, metrics, logs); the loop itself stays free of them. */
@FunctionalInterface
public interface StepListener {
  /** Called after every step with its 0-based index, the total, the learning rate and the result. */
  void onStep(int step, int totalSteps, double lr, TrainingStep.Result result);

  /** A listener that does nothing. */
  StepListener NONE = (step, total, lr, result) -> { };
}
