//! Child processes that inherit no open file of the test process.
//!
//! HDF5 opens files without `O_CLOEXEC`, and its file lock (`flock`) belongs
//! to the open file, not to the descriptor. A child that one test spawns
//! while another test (in another thread of the same process) has an HDF5
//! file open inherits that file, and its lock, for as long as the child
//! lives: the second test's own `macroscope verify` of its file then fails
//! with "unable to lock file". So, like Python's `subprocess`
//! (`close_fds=True`), every child these tests start closes at `exec` every
//! descriptor but its standard streams.

use std::ffi::OsStr;
use std::process::Command;

/// A [`Command`] for `program` whose process inherits no descriptor but
/// standard input, output and error.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    #[allow(unused_mut)]
    let mut command = Command::new(program);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: `close_inherited_at_exec` only makes system calls that are
        // async-signal-safe; it allocates nothing and takes no lock.
        unsafe { command.pre_exec(close_inherited_at_exec) };
    }
    command
}

/// Marks every descriptor above standard error close-on-exec, in the child
/// between `fork` and `exec`.
#[cfg(target_os = "linux")]
fn close_inherited_at_exec() -> std::io::Result<()> {
    const FIRST: libc::c_uint = 3;
    // SAFETY: `close_range` changes only the flags of this process's descriptors.
    let marked = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            FIRST,
            libc::c_uint::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if marked != 0 {
        // Kernels before 5.11 lack `CLOSE_RANGE_CLOEXEC`: one descriptor at a time.
        // SAFETY: `sysconf` and `fcntl` on a descriptor number are async-signal-safe.
        let limit = unsafe { libc::sysconf(libc::_SC_OPEN_MAX) }.clamp(0, 1 << 16);
        for fd in FIRST as libc::c_int..limit as libc::c_int {
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
    }
    Ok(())
}
