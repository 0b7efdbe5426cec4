//! retinotopy (TODO).
