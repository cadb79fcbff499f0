/**
 * Fashion-MNIST: an IDX file reader and the images and labels of the Debian package
 * dataset-fashion-mnist, split into train (the 60 000 training images), val and test (the two
 * halves of the 10 000 test images).
 */
package dev.mmict.storage.dataset.fmnist;
