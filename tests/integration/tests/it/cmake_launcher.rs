//! The CMake launcher a fresh machine builds HDF5 with (`tools/cmake.cmd`,
//! which cargo runs as `CMAKE`: `.cargo/config.toml`).
//!
//! Each test runs a copy of `tools/` in a directory of its own, as cargo
//! would (`sh tools/cmake.cmd ARGS`), with a `PATH` holding only `python3`,
//! `dirname` and, where the test says so, a stand-in `cmake` that prints a
//! version and records its arguments: no test reaches the network, and none
//! sees a CMake this machine may have.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Output;

use macroscope_integration::child::command;

/// A copy of the repository's `tools/` and an empty `bin/` for `PATH`.
struct Checkout {
    root: tempfile::TempDir,
}

impl Checkout {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        fs::create_dir(root.path().join("tools")).unwrap();
        for file in ["cmake.cmd", "cmake_launcher.py"] {
            fs::copy(
                repository.join("tools").join(file),
                root.path().join("tools").join(file),
            )
            .unwrap();
        }
        let bin = root.path().join("bin");
        fs::create_dir(&bin).unwrap();
        symlink(real_program("python3"), bin.join("python3")).unwrap();
        symlink(real_program("dirname"), bin.join("dirname")).unwrap();
        Checkout { root }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    /// A stand-in CMake at `relative` that reports `version` and, run for
    /// anything else, writes its arguments to `arguments.txt`, which of the
    /// descriptors 8 and 9 it has open to `descriptors.txt`, and exits 7.
    fn fake_cmake(&self, relative: &str, version: &str) -> PathBuf {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let arguments = self.path("arguments.txt");
        let descriptors = self.path("descriptors.txt");
        fs::write(
            &path,
            format!(
                "#!/bin/sh\n\
                 if [ \"$1\" = --version ]; then echo 'cmake version {version}'; exit 0; fi\n\
                 echo \"$@\" > '{}'\n\
                 for fd in 8 9; do [ -e /proc/$$/fd/$fd ] && echo $fd; done > '{}'\n\
                 exit 7\n",
                arguments.display(),
                descriptors.display()
            ),
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// `sh tools/cmake.cmd ARGS` as cargo's `cmake` crate runs it, with no
    /// package index for pip to install from, and descriptors 8 and 9 open
    /// as cargo's jobserver is (`MAKEFLAGS` names them).
    fn run(&self, args: &[&str]) -> Output {
        command("/bin/sh")
            .arg("-c")
            .arg("exec 8</dev/null 9</dev/null; exec /bin/sh \"$@\"")
            .arg("sh")
            .arg(self.path("tools/cmake.cmd"))
            .args(args)
            .env_clear()
            .env("PATH", self.path("bin"))
            .env("HOME", self.root.path())
            .env("PIP_NO_INDEX", "1")
            .env("MAKEFLAGS", "-j --jobserver-auth=8,9")
            .output()
            .unwrap()
    }
}

/// Where `program` is on this machine's `PATH`, symlinks resolved (a shim
/// directory may hold a `cmake` beside `python3`).
fn real_program(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").expect("PATH is set");
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"));
    if program != "python3" {
        return fs::canonicalize(found).unwrap();
    }
    // A shim (pyenv) is a script, not the interpreter: ask the interpreter.
    let executable = command(&found)
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8(executable.stdout).unwrap().trim())
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_cmake_3_26_or_newer_on_path_runs_with_every_argument_and_gives_its_exit_status() {
    let checkout = Checkout::new();
    checkout.fake_cmake("bin/cmake", "3.26.0");
    let output = checkout.run(&["--build", ".", "--config", "Release"]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(checkout.path("arguments.txt")).unwrap(),
        "--build . --config Release\n"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn cmake_inherits_the_jobserver_descriptors_so_make_builds_hdf5_in_parallel() {
    let checkout = Checkout::new();
    checkout.fake_cmake("bin/cmake", "3.26.0");
    let output = checkout.run(&["--build", "."]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(checkout.path("descriptors.txt")).unwrap(),
        "8\n9\n"
    );
}

#[test]
fn a_cmake_installed_earlier_into_dot_tools_runs_when_path_has_none() {
    let checkout = Checkout::new();
    checkout.fake_cmake(".tools/cmake/cmake/data/bin/cmake", "4.1.2");
    let output = checkout.run(&["-S", "src"]);
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(checkout.path("arguments.txt")).unwrap(),
        "-S src\n"
    );
}

#[test]
fn a_cmake_older_than_3_26_and_no_way_to_install_one_stops_with_one_sentence_naming_both() {
    let checkout = Checkout::new();
    let old = checkout.fake_cmake("bin/cmake", "3.25.1");
    let output = checkout.run(&["--version"]);
    assert_eq!(output.status.code(), Some(1));
    let tools = checkout.path(".tools/cmake");
    let said = stderr(&output);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 2, "{said}");
    assert_eq!(
        lines[0],
        format!(
            "macroscope: no CMake >= 3.26 on PATH; installing one from PyPI into {} (first build only)",
            tools.display()
        )
    );
    let (before, pip_said) = lines[1]
        .split_once("failed: ")
        .unwrap_or_else(|| panic!("{said}"));
    assert_eq!(
        before,
        format!(
            "macroscope needs CMake >= 3.26 to build HDF5 (CMake 3.25 at {} is too old, and installing one with `python3 -m pip` ",
            old.display()
        )
    );
    assert!(
        pip_said.ends_with(
            "): install it (`pip install cmake`, or https://cmake.org/download) or set CMAKE to its path."
        ),
        "{said}"
    );
    assert!(!tools.exists(), "a failed install left {}", tools.display());
}

#[test]
fn no_python_stops_with_one_sentence_saying_to_install_it_or_set_cmake() {
    let checkout = Checkout::new();
    fs::remove_file(checkout.path("bin/python3")).unwrap();
    let output = checkout.run(&["--version"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "macroscope needs Python 3 (python.org) to find or install CMake, or set CMAKE to a CMake 3.26 or newer\n"
    );
}

#[test]
fn no_cmake_at_all_and_no_way_to_install_one_says_there_is_none_on_path() {
    let checkout = Checkout::new();
    let output = checkout.run(&["--version"]);
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output);
    assert!(
        said.contains(
            "to build HDF5 (no CMake on PATH, and installing one with `python3 -m pip` failed: "
        ),
        "{said}"
    );
}
