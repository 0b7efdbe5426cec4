//! Pipeline files the tests write: the one header every test's file starts
//! with, and the short recording most of them build on.

use std::path::{Path, PathBuf};

/// A one-direction, one-sweep drifting bar (4 s at 40× downsampling) filmed by
/// the synthetic cortex at 32×24 px and 5 frames/s: a whole run in about a second.
pub const SHORT_RECORDING: &str = r#"
[stages.stimulus]
plugin = "drifting-bar"
params = { directions = ["LR"], sweeps_per_direction = 1, downsample = 40, baseline_before_s = 0.5, baseline_after_s = 0.5 }

[stages.camera]
plugin = "synthetic-cortex"
inputs = ["stimulus.schedule"]
params = { width_px = 32, height_px = 24, frame_rate_hz = 5.0 }
"#;

/// The smallest recording that runs to maps: the bar once in each of the
/// four directions, filmed at 32×24 px and 5 frames/s with a strong response
/// (5 % ΔR/R), then the Fourier maps and the visual areas (one found at this
/// size).
pub const MAPS_RECORDING: &str = r#"
[stages.stimulus]
plugin = "drifting-bar"
params = { directions = ["LR", "RL", "BT", "TB"], sweeps_per_direction = 1, downsample = 40, baseline_before_s = 0.5, baseline_after_s = 0.5 }

[stages.camera]
plugin = "synthetic-cortex"
inputs = ["stimulus.schedule"]
params = { width_px = 32, height_px = 24, frame_rate_hz = 5.0, response_amplitude = 0.05 }

[stages.fourier]
plugin = "fourier-maps"
inputs = ["camera.frames", "stimulus.schedule"]
params = { skip_sweeps = 0 }

[stages.retinotopy]
plugin = "retinotopy"
inputs = ["fourier.phase", "fourier.magnitude"]
params = { phase_sigma_px = 0.25, sign_sigma_px = 1.5, min_patch_px = 4 }
"#;

/// Writes `name.toml` in `dir`: output `name.h5`, store `dir/store`, then `stages`.
pub fn write_pipeline(dir: &Path, name: &str, stages: &str) -> PathBuf {
    let text = format!(
        "[pipeline]\nname = \"{name}\"\noutput = \"{out}\"\nstore = \"{store}\"\n{stages}",
        out = dir.join(format!("{name}.h5")).display(),
        store = dir.join("store").display(),
    );
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// The short recording as `dir/session.toml`, writing `dir/runs/{session}.h5`
/// (a `{session}` placeholder filled by `--var session=NAME`).
pub fn per_session_pipeline(dir: &Path) -> PathBuf {
    per_session(dir, SHORT_RECORDING)
}

/// [`MAPS_RECORDING`] as `dir/session.toml`, writing `dir/runs/{session}.h5`.
pub fn per_session_maps_pipeline(dir: &Path) -> PathBuf {
    per_session(dir, MAPS_RECORDING)
}

fn per_session(dir: &Path, stages: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("runs")).unwrap();
    let path = dir.join("session.toml");
    let text = format!(
        "[pipeline]\nname = \"per-session\"\noutput = \"{}/runs/{{session}}.h5\"\nstore = \"{}\"\n{stages}",
        dir.display(),
        dir.join("store").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}
