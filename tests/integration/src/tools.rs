//! The outside programs some tests check the files with (a Python with h5py
//! or pynwb, h5dump, Chromium). Where one is missing the check is skipped with
//! a note, unless its `MACROSCOPE_REQUIRE_…` switch is `1` (`.ci/run` sets
//! them all): then the test fails saying what to install, so CI never passes
//! having checked nothing.

use crate::child;

/// A Python that imports every module of `modules` (`MACROSCOPE_PYTHON`, else
/// `python3`), or `None` where there is none and `switch` does not require one.
pub fn python_with(modules: &[&str], switch: &str) -> Option<String> {
    let python = std::env::var("MACROSCOPE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let imports = format!("import {}", modules.join(", "));
    let has = child::command(&python)
        .args(["-c", &imports])
        .status()
        .is_ok_and(|s| s.success());
    required(
        has.then_some(python.clone()),
        switch,
        &format!("`{python}` cannot `{imports}`"),
        &format!(
            "set MACROSCOPE_PYTHON to a Python that can (pip install {})",
            modules.join(" ")
        ),
    )
}

/// The first of `names` that runs (`NAME --version`), or `None` where none
/// does and `switch` does not require one; `package` is the Debian package
/// that installs it.
pub fn program(names: &[&str], switch: &str, package: &str) -> Option<String> {
    let found = names.iter().find(|name| {
        child::command(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    required(
        found.map(|name| (*name).to_owned()),
        switch,
        &format!("`{}` is not installed", names.join("` or `")),
        &format!("apt-get install {package}"),
    )
}

/// `found`; when it is `None`, a failure if `switch` is `1`, else a note.
fn required(found: Option<String>, switch: &str, missing: &str, fix: &str) -> Option<String> {
    if found.is_none() {
        assert!(
            !std::env::var(switch).is_ok_and(|v| v == "1"),
            "{switch}=1 but {missing}: {fix}"
        );
        eprintln!("note: check skipped: {missing}: {fix} (set {switch}=1 to make this a failure)");
    }
    found
}
