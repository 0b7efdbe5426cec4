//! Where plugin libraries are looked for, in precedence order.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Environment variable holding extra plugin directories (an OS path list).
pub const PLUGIN_PATH_VAR: &str = "MACROSCOPE_PLUGIN_PATH";

/// Directories searched for plugin libraries, in precedence order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchPath {
    /// The directories.
    pub dirs: Vec<PathBuf>,
}

impl SearchPath {
    /// `extra` dirs, then `MACROSCOPE_PLUGIN_PATH`, then `plugins/` beside the
    /// executable, then `plugins` in the [user data
    /// directory](crate::user_dir::user_data_dir) (`~/.local/share/macroscope/plugins`,
    /// `%LOCALAPPDATA%\macroscope\plugins`).
    pub fn from_env(extra: &[PathBuf]) -> SearchPath {
        let exe_dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf));
        let user_dir = crate::user_dir::user_data_dir();
        assemble(extra, std::env::var_os(PLUGIN_PATH_VAR), exe_dir, user_dir)
    }
}

/// The search path from its four sources, in precedence order.
fn assemble(
    extra: &[PathBuf],
    plugin_path_var: Option<OsString>,
    exe_dir: Option<PathBuf>,
    user_dir: Option<PathBuf>,
) -> SearchPath {
    let mut dirs = extra.to_vec();
    if let Some(list) = plugin_path_var {
        dirs.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs.extend(exe_dir.map(|d| d.join("plugins")));
    dirs.extend(user_dir.map(|d| d.join("plugins")));
    SearchPath { dirs }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_come_in_precedence_order() {
        let search = assemble(
            &[PathBuf::from("/cli")],
            Some(std::env::join_paths(["/env/a", "/env/b"]).unwrap()),
            Some(PathBuf::from("/opt/macroscope/bin")),
            Some(PathBuf::from("/home/u/.local/share/macroscope")),
        );
        let expected: Vec<PathBuf> = [
            "/cli",
            "/env/a",
            "/env/b",
            "/opt/macroscope/bin/plugins",
            "/home/u/.local/share/macroscope/plugins",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(search.dirs, expected);
    }

    #[test]
    #[cfg(unix)]
    fn empty_entries_of_the_environment_list_are_ignored() {
        let search = assemble(&[], Some(OsString::from("::/env/a:")), None, None);
        assert_eq!(search.dirs, [PathBuf::from("/env/a")]);
    }
}
