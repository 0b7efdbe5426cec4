//! Example third-party analysis plugin: per-frame statistics, built as a cdylib. (TODO).
