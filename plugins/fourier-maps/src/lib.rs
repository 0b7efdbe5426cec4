//! fourier-maps (TODO).
