//! synthetic-cortex (TODO).
