//! Aravis's fake GigE Vision camera (`arv-fake-gv-camera-0.8`, Debian's
//! `aravis-tools`) as a child process on 127.0.0.1: the real protocol
//! (GVCP discovery and control, GVSP streaming) on the loopback interface.
//!
//! Without the program the tests skip, loudly; with
//! `MACROSCOPE_REQUIRE_FAKE_CAMERA=1` (set by `.ci/run`) they fail instead.
//! Only one fake camera can listen on 127.0.0.1 at a time, so every test
//! holds [`FakeCamera`]'s lock while its camera runs.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The fake camera program.
pub const PROGRAM: &str = "arv-fake-gv-camera-0.8";
/// Its device id, as Aravis discovery reports it.
pub const CAMERA_ID: &str = "Aravis-Fake-GV01";

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A running fake camera, killed (by its pid) when dropped.
pub struct FakeCamera {
    child: Child,
    _turn: MutexGuard<'static, ()>,
}

impl FakeCamera {
    /// Starts `arv-fake-gv-camera-0.8 -i 127.0.0.1 EXTRA_ARGS` and waits until
    /// discovery finds it. `None` (after saying so on stderr) when the program
    /// is missing and `MACROSCOPE_REQUIRE_FAKE_CAMERA` is not set.
    pub fn start(test: &str, extra_args: &[&str]) -> Option<FakeCamera> {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
        let spawned = Command::new(PROGRAM)
            .args(["-i", "127.0.0.1"])
            .args(extra_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) if std::env::var_os("MACROSCOPE_REQUIRE_FAKE_CAMERA").is_some() => panic!(
                "MACROSCOPE_REQUIRE_FAKE_CAMERA is set but `{PROGRAM}` cannot run ({error}): \
                 install Debian's aravis-tools"
            ),
            Err(error) => {
                eprintln!(
                    "SKIPPED {test}: `{PROGRAM}` cannot run ({error}). Install Debian's \
                     aravis-tools to run it; set MACROSCOPE_REQUIRE_FAKE_CAMERA=1 to make this a failure"
                );
                return None;
            }
        };
        let mut camera = FakeCamera { child, _turn: turn };
        camera.wait_until_discovered();
        Some(camera)
    }

    fn wait_until_discovered(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{PROGRAM} exited at once ({status}): is another one listening on 127.0.0.1?"
                );
            }
            if genicam::list_cameras().iter().any(|c| c.id == CAMERA_ID) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{PROGRAM} started but discovery did not find {CAMERA_ID} within 10 s");
    }

    /// Kills the camera now (by its pid), as a cable pull or power cut would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for FakeCamera {
    fn drop(&mut self) {
        self.kill();
    }
}
