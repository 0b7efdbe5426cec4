//! The rule for stage ids, written once: the pipeline checks ids with it
//! and the store, whose groups they name, defends its layout with it.

/// Letters, digits, `_` and `-`, at least one: what stage ids may use (they
/// name HDF5 groups and are referenced as `stage.port`). Port names follow
/// the contract's stricter rule,
/// [`is_port_name`](macroscope_plugin_api::is_port_name) (an identifier: no
/// `-`, no leading digit), because they also name `<port>.<column>` datasets
/// and the fields of plugin code.
pub fn is_stage_id(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_ids_may_use_dashes_and_start_with_a_digit() {
        assert!(is_stage_id("raw-frames"));
        assert!(is_stage_id("2p_camera"));
    }

    #[test]
    fn stage_ids_are_refused_with_dots_slashes_spaces_or_nothing() {
        for bad in ["", "a.b", "a/b", "a b", "café"] {
            assert!(!is_stage_id(bad), "{bad}");
        }
    }
}
