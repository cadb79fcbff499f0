/**
 * Drawing primitives for the generated datasets: the shapes, where an object sits ({@link
 * dev.mmict.storage.dataset.draw.Region}) and how it moves ({@link
 * dev.mmict.storage.dataset.draw.Motion}), and a {@link dev.mmict.storage.dataset.draw.Canvas}
 * that paints them into [C, H, W] floats. Depends on nothing else in the project.
 */
package dev.mmict.storage.dataset.draw;
