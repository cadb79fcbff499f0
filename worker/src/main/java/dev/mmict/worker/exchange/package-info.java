/**
 * The gradient exchange data plane: a chunked ring all-reduce of {@code float[]} or 64-bit
 * fixed-point {@code long[]} gradient vectors over a {@link dev.mmict.worker.exchange.Transport}
 * (in-process loopback or TCP with length-delimited protobuf frames). See docs/exchange.md.
 */
package dev.mmict.worker.exchange;
