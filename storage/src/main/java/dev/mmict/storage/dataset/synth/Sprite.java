package dev.mmict.storage.dataset.synth;

import dev.mmict.storage.dataset.draw.Canvas;

/** One particular object instance that can be painted at any place and size, frame after frame. */
@FunctionalInterface
interface Sprite {

  /** Paints the object with its bounding square of side {@code diameter} centred at (cx, cy). */
  void paint(Canvas canvas, double cx, double cy, double diameter, float[] rgb);
}
