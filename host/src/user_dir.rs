//! The per-user directory macroscope keeps its store and plugins in.

use std::ffi::OsString;
use std::path::PathBuf;

/// `$XDG_DATA_HOME/macroscope` (default `~/.local/share/macroscope`) on Unix
/// and macOS; `%LOCALAPPDATA%\macroscope` on Windows (local, not roaming: it
/// holds large data files and architecture-specific libraries). `None` when
/// the environment names no such directory.
pub fn user_data_dir() -> Option<PathBuf> {
    from_env(|name| std::env::var_os(name), cfg!(windows))
}

/// [`user_data_dir`] from the variables `var` returns; relative values are
/// ignored, as the XDG specification asks.
fn from_env(var: impl Fn(&str) -> Option<OsString>, windows: bool) -> Option<PathBuf> {
    let absolute = |name| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let base = if windows {
        absolute("LOCALAPPDATA")
    } else {
        absolute("XDG_DATA_HOME").or_else(|| absolute("HOME").map(|home| home.join(".local/share")))
    };
    base.map(|dir| dir.join("macroscope"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.into())
    }

    #[test]
    fn a_relative_xdg_data_home_is_ignored_for_the_home_default() {
        let vars = [("XDG_DATA_HOME", "data"), ("HOME", "/home/u")];
        assert_eq!(
            from_env(env(&vars), false),
            Some(PathBuf::from("/home/u/.local/share/macroscope"))
        );
    }

    #[test]
    fn windows_uses_local_app_data_not_home() {
        let vars = [
            ("LOCALAPPDATA", "/users/u/appdata/local"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(
            from_env(env(&vars), true),
            Some(PathBuf::from("/users/u/appdata/local/macroscope"))
        );
    }
}
