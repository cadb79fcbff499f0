package dev.mmict.storage.dataset.real;

/** The files and layout of one real dataset source; one record per reader. */
public sealed interface SourceConfig
    permits CocoCaptionsConfig, KarpathyConfig, VqaV2Config, MsrvttConfig, MsvdConfig,
        VideoQaConfig {}
