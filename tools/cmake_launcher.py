"""Runs a CMake >= 3.26 for the static HDF5 build, installing one if needed.

Cargo points the `cmake` crate here (`.cargo/config.toml`, `CMAKE`), so a
fresh machine with only Rust, a C compiler and Python 3 builds without a
set-up step: the first CMake >= 3.26 on PATH is used; else the one installed
earlier into `.tools/cmake`; else one is installed there from PyPI (said on
stderr); else this stops with one sentence saying what to install.
Every argument is passed on to CMake, and its exit status returned.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

MINIMUM = (3, 26)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALL_DIR = os.path.join(ROOT, ".tools", "cmake")
EXE = "cmake.exe" if os.name == "nt" else "cmake"
INSTALLED = os.path.join(INSTALL_DIR, "cmake", "data", "bin", EXE)


def version(exe):
    """(major, minor) of the CMake at `exe`, or None if it does not run."""
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"cmake version (\d+)\.(\d+)", out)
    return (int(found.group(1)), int(found.group(2))) if found else None


def install():
    """Installs CMake from PyPI into INSTALL_DIR; returns why it failed, or None."""
    print(
        f"macroscope: no CMake >= {MINIMUM[0]}.{MINIMUM[1]} on PATH; installing one from PyPI "
        f"into {INSTALL_DIR} (first build only)",
        file=sys.stderr,
    )
    os.makedirs(os.path.dirname(INSTALL_DIR), exist_ok=True)
    # Into a directory of our own, then renamed: two build scripts may install at once.
    staging = tempfile.mkdtemp(prefix="cmake-", dir=os.path.dirname(INSTALL_DIR))
    env = dict(os.environ, PIP_BREAK_SYSTEM_PACKAGES="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    spec = f"cmake>={MINIMUM[0]}.{MINIMUM[1]}"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", staging, spec],
        capture_output=True, text=True, env=env,
    )
    if pip.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        lines = [l for l in (pip.stderr or pip.stdout).strip().splitlines() if l.strip()]
        return lines[-1].strip() if lines else f"pip exited with {pip.returncode}"
    try:
        os.rename(staging, INSTALL_DIR)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another build installed it first
    return None


def find():
    """The CMake to run; exits with one sentence if there is none."""
    on_path = shutil.which("cmake")
    found = version(on_path) if on_path else None
    if found and found >= MINIMUM:
        return on_path
    if os.path.exists(INSTALLED) and (version(INSTALLED) or (0,)) >= MINIMUM:
        return INSTALLED
    failure = install()
    if failure is None and (version(INSTALLED) or (0,)) >= MINIMUM:
        print(f"macroscope: installed CMake into {INSTALL_DIR}", file=sys.stderr)
        return INSTALLED
    have = f"CMake {found[0]}.{found[1]} at {on_path} is too old" if found else "no CMake on PATH"
    sys.exit(
        f"macroscope needs CMake >= {MINIMUM[0]}.{MINIMUM[1]} to build HDF5 ({have}, and installing one "
        f"with `{os.path.basename(sys.executable)} -m pip` failed: {failure or 'no cmake program in what it installed'}): "
        f"install it (`pip install cmake`, or https://cmake.org/download) or set CMAKE to its path."
    )


if __name__ == "__main__":
    # close_fds=False: cargo hands the build its jobserver as two inherited
    # descriptors (MAKEFLAGS names them). Closed, make builds HDF5 one file
    # at a time whatever the number of cores.
    sys.exit(subprocess.call([find(), *sys.argv[1:]], close_fds=False))
