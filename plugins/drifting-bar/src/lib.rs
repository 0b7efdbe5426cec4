//! drifting-bar (TODO).
