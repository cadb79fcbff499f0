package dev.mmict.worker.cluster;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Turns PyTorch's autograd recording off on the calling thread. PyTorch keeps its grad mode per
 * thread and a new thread starts with it on; DJL turns it off only on the thread that first
 * loaded the engine, and a gradient collector restores whatever mode it found. A training step
 * run on any other thread therefore updates parameters in place with recording on, which PyTorch
 * refuses ("a leaf Variable that requires grad is being used in an in-place operation"). The
 * switch lives in the PyTorch engine's JNI class, which the worker only has at run time, hence
 * the reflective call.
 */
final class GradMode {

  private static final String JNI_UTILS = "ai.djl.pytorch.jni.JniUtils";

  private GradMode() { }

  /** Sets grad mode off for the calling thread. */
  static void offOnThisThread() {
    try {
      Method set = Class.forName(JNI_UTILS).getMethod("setGradMode", boolean.class);
      set.invoke(null, false);
    } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalStateException("cannot turn PyTorch grad mode off for the step thread: " + JNI_UTILS
          + ".setGradMode(boolean) is not available (" + e + ")", e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("PyTorch refused to turn grad mode off: " + e.getCause(), e.getCause());
    }
  }
}
