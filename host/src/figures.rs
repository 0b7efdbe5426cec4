//! Figures (TODO).
