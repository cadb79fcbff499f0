package dev.mmict.worker.cluster;

import java.util.List;
import java.util.Objects;

/**
 * Everything a replica's training depends on besides the frozen backbone: the trainable
 * parameters and the AdamW state after one step, as plain arrays. A joining worker installs the
 * state a live peer exported ({@link Replica#exportState}, {@link Replica#installState}).
 *
 * @param afterStep the step whose update these values include (-1: the initial state)
 * @param parameters the trainable parameters, in the replica's declaration order
 * @param optimizer the optimizer's moment tensors, in {@code AdamW.state()} order
 * @param optimizerStep the optimizer's update counter (bias correction depends on it)
 */
public record ReplicaState(long afterStep, List<Tensor> parameters, List<Tensor> optimizer, long optimizerStep) {

  /** Freezes the lists. */
  public ReplicaState {
    parameters = List.copyOf(parameters);
    optimizer = List.copyOf(optimizer);
  }

  /**
   * One named float32 tensor.
   *
   * @param name the parameter name, or the optimizer state name ({@code <param>.exp_avg}, …)
   * @param shape its dimensions, outermost first
   * @param values its elements in row-major order
   */
  public record Tensor(String name, long[] shape, float[] values) {

    /** Checks that the shape holds exactly the values. */
    public Tensor {
      Objects.requireNonNull(name, "name");
      long size = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension " + d);
        }
        size *= d;
      }
      if (size != values.length) {
        throw new IllegalArgumentException("tensor '" + name + "' of shape " + java.util.Arrays.toString(shape)
            + " needs " + size + " values, got " + values.length);
      }
    }
  }
}
