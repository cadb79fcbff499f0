/** The wire schema: generated protobuf classes under {@code dev.mmict.protocol.v1}. */
package dev.mmict.protocol;
