//! Plugin test harness: runs a plugin on synthetic inputs and checks conformance. (TODO).
