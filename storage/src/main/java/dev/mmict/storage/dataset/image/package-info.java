/**
 * Pictures from files: {@link dev.mmict.storage.dataset.image.ImageDecoder} (JPEG and PNG through
 * javax.imageio, to RGB floats), {@link dev.mmict.storage.dataset.image.Resampler} (bilinear crop
 * and resize) and {@link dev.mmict.storage.dataset.image.ImagePipeline} (centre crop for
 * evaluation, one random resized crop and flip per clip for training).
 */
package dev.mmict.storage.dataset.image;
