//! Commands that read files end with an error, not a hang, when the HDF5
//! library stalls on a damaged one (see `store::StallWatch`).

use crate::store::{stall_limit, StallWatch, STALL_LIMIT_VAR};

/// Watches the HDF5 library while `reading` (what is read, e.g. a file's
/// name) is read; if one call stalls, prints `error: {context}: …` and exits
/// with status 1. Watching stops when the returned value is dropped.
pub(super) fn watch(context: String, reading: String) -> StallWatch {
    let limit = stall_limit();
    let message = format!(
        "error: {context}: no HDF5 call returned for {} s while reading {reading} (the library loops for ever on \
         some damaged files): use an intact copy ({STALL_LIMIT_VAR} sets the limit)",
        limit.as_secs_f64()
    );
    StallWatch::start(limit, move || {
        eprintln!("{message}");
        std::process::exit(1);
    })
}
