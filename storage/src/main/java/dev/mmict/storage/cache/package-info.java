/**
 * The frozen-feature cache on disk: vision-encoder outputs per (visual key, encoder fingerprint)
 * in float16, in append-only CRC-framed shards with a per-shard index and a manifest ({@link
 * dev.mmict.storage.cache.DiskFeatureCache}). It stores plain float arrays and knows nothing of the
 * model; the worker adapts it to the model's feature-store interface. The byte layout is in the
 * module README ("Feature cache").
 */
package dev.mmict.storage.cache;
