/**
 * Packed record store: a dataset written once into CRC-framed protobuf shards with a per-split
 * binary index and a manifest ({@link dev.mmict.storage.records.RecordPacker}), and read back
 * by random access as a {@link dev.mmict.storage.dataset.Dataset} ({@link
 * dev.mmict.storage.records.PackedDataset}). The byte layout is in the module README ("Packed
 * records").
 */
package dev.mmict.storage.records;
