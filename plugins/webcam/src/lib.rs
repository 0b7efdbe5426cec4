//! Webcam camera plugin (nokhwa); needs libclang, outside default-members. (TODO).
