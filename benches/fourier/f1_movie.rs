//! Bench: first Fourier component (F1) of a u16 movie, Rust vs two numpy peers on the same data.
//!
//! `cargo bench -p fourier-maps --bench f1_movie` (env `F1_FRAMES`, `F1_SIDE`, `PYTHON` override
//! the defaults 2000 frames, 256 × 256 pixels, `python3`). Reports MB/s of movie for:
//! - `plain sum`: one parallel read of the movie summing every pixel (the memory-speed reference);
//! - `rust kernel`: `HarmonicSums::add_batch` on borrowed frames, 32 per batch;
//! - `rust plugin`: the same through `Plugin::receive` with a schedule (copies each frame once);
//! - the numpy peers of `numpy_peers.py`: an FFT along time per pixel (the straightforward style),
//!   the same FFTs vectorised per image row, and a float32 tensordot with the cos/sin weights.
//!
//! It also checks that the three methods give the same phase map.
// The bench's synthetic movie is input, not a stored output: the platform's
// own functions are fine here (plugins/clippy.toml).
#![allow(clippy::disallowed_methods)]

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use fourier_maps::accumulator::HarmonicSums;
use fourier_maps::{FourierMaps, Params};
use macroscope_plugin_api::abi_stable::std_types::RSlice;
use macroscope_plugin_api::{
    ColumnSpec, Element, ElementType, InputPort, Item, ItemRef, Outputs, Plugin, PortSpec, Scalar,
};
use rayon::prelude::*;

const FRAMES_PER_SWEEP: usize = 200;
const FRAME_RATE_HZ: f64 = 10.0;
const BATCH: usize = 32;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A camera-like movie: 2000-ish counts, a 0.2% oscillation whose lag varies over the image, noise.
fn synthetic_movie(frames: usize, pixels: usize) -> Vec<u16> {
    let mut movie = vec![0u16; frames * pixels];
    movie
        .par_chunks_mut(pixels)
        .enumerate()
        .for_each(|(k, frame)| {
            let mut state = (k as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            for (p, value) in frame.iter_mut().enumerate() {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let noise = ((state >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 40.0;
                let lag = p as f64 * 1e-4;
                let base = 2000.0 + (p % 97) as f64;
                let angle = TAU * k as f64 / FRAMES_PER_SWEEP as f64;
                *value = (base * (1.0 + 0.002 * (angle - lag).cos()) + noise).round() as u16;
            }
        });
    movie
}

/// Wall-clock and CPU time of one method.
#[derive(Debug, Clone, Copy)]
struct Timing {
    /// Best wall-clock time of the runs.
    wall: Duration,
    /// CPU seconds (all threads, user + system) per run, NaN where /proc is unavailable.
    cpu_s: f64,
}

/// CPU seconds this process has used so far (all threads), from /proc/self/stat.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // Clock ticks are 1/100 s on Linux (sysconf(_SC_CLK_TCK) = 100 on every mainstream kernel).
    (ticks(11) + ticks(12)) / 100.0
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Timing, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    let cpu_before = process_cpu_seconds();
    for _ in 0..runs {
        let start = Instant::now();
        let value = std::hint::black_box(f());
        best = best.min(start.elapsed());
        last = Some(value);
    }
    let cpu_s = (process_cpu_seconds() - cpu_before) / runs as f64;
    (
        Timing { wall: best, cpu_s },
        last.expect("at least one run"),
    )
}

fn kernel_phase(movie: &[u16], frames: usize, pixels: usize) -> Vec<f64> {
    let mut sums = HarmonicSums::new(pixels);
    for first in (0..frames).step_by(BATCH) {
        let last = (first + BATCH).min(frames);
        let refs: Vec<&[u16]> = (first..last)
            .map(|k| &movie[k * pixels..(k + 1) * pixels])
            .collect();
        let angles: Vec<f64> = (first..last)
            .map(|k| TAU * k as f64 / FRAMES_PER_SWEEP as f64)
            .collect();
        sums.add_batch(&refs, &angles);
    }
    sums.harmonic().phase
}

fn item<'a, T: Element>(data: &'a [T], shape: &'a [u64], meta: &'a [Scalar]) -> Item<'a> {
    Item::new(ItemRef {
        element: T::TYPE,
        shape: RSlice::from_slice(shape),
        bytes: RSlice::from_slice(bytemuck::cast_slice(data)),
        meta: RSlice::from_slice(meta),
    })
}

/// The whole plugin: one schedule row per camera frame (direction LR, sweeps of 200 frames), then the frame.
fn plugin_phase(movie: &[u16], frames: usize, side: usize) -> Vec<f64> {
    let sweep_s = FRAMES_PER_SWEEP as f64 / FRAME_RATE_HZ;
    let schedule = PortSpec::stream("schedule", ElementType::F64, &[])
        .with_column(ColumnSpec::new("direction", ElementType::I8, "", ""))
        .with_column(ColumnSpec::new("sweep", ElementType::I32, "", ""))
        .with_attributes(&serde_json::json!({
            "directions": ["LR"], "display_rate_hz": FRAME_RATE_HZ, "sweep_duration_s": {"azimuth": sweep_s},
            "bar_start_deg": {"LR": -10.0}, "travel_deg": {"azimuth": 120.0},
        }));
    let camera = PortSpec::stream("frames", ElementType::U16, &[side as u64, side as u64])
        .with_column(ColumnSpec::new("time_s", ElementType::F64, "s", ""));
    let inputs = [
        InputPort {
            source: "bench.schedule".into(),
            spec: schedule,
        },
        InputPort {
            source: "bench.frames".into(),
            spec: camera,
        },
    ];
    let mut plugin =
        FourierMaps::start(Params::default(), &inputs).expect("bench configuration is valid");
    let mut out = Outputs::default();
    let shape = [side as u64, side as u64];
    let pixels = side * side;
    for k in 0..frames {
        let t = k as f64 / FRAME_RATE_HZ;
        let row = [Scalar::Int(0), Scalar::Int((k / FRAMES_PER_SWEEP) as i64)];
        plugin
            .receive(0, item(&[t], &[], &row), &mut out)
            .expect("schedule row accepted");
        let frame = &movie[k * pixels..(k + 1) * pixels];
        plugin
            .receive(1, item(frame, &shape, &[Scalar::Float(t)]), &mut out)
            .expect("frame accepted");
    }
    plugin.finish(&mut out).expect("finish succeeds");
    let phase = out.take().swap_remove(0);
    phase.data.as_slice::<f64>().expect("phase is f64").to_vec()
}

fn read_f64(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

fn max_phase_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| ((x - y + std::f64::consts::PI).rem_euclid(TAU) - std::f64::consts::PI).abs())
        .fold(0.0, f64::max)
}

fn main() {
    let frames = env_usize("F1_FRAMES", 2000);
    let side = env_usize("F1_SIDE", 256);
    let pixels = side * side;
    let movie = synthetic_movie(frames, pixels);
    let megabytes = (movie.len() * 2) as f64 / 1e6;
    println!(
        "F1 of a u16 movie of {frames} frames of {side}×{side} ({megabytes:.0} MB), {} rayon threads",
        rayon::current_num_threads()
    );

    let (sum_time, total) = best_of(10, || {
        movie
            .par_chunks(1 << 16)
            .map(|c| c.iter().map(|&v| u64::from(v)).sum::<u64>())
            .sum::<u64>()
    });
    let (kernel_time, kernel) = best_of(10, || kernel_phase(&movie, frames, pixels));
    let (plugin_time, plugin) = best_of(5, || plugin_phase(&movie, frames, side));
    assert!(total > 0);

    let dir = tempfile::tempdir().expect("temporary directory");
    let movie_path = dir.path().join("movie.u16");
    std::fs::write(&movie_path, bytemuck::cast_slice::<u16, u8>(&movie)).expect("write movie");
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../benches/fourier/numpy_peers.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let prefix = dir.path().join("phase");
    let output = Command::new(&python)
        .arg(&script)
        .args([
            "--movie",
            &movie_path.to_string_lossy(),
            "--frames",
            &frames.to_string(),
        ])
        .args(["--height", &side.to_string(), "--width", &side.to_string()])
        .args([
            "--frames-per-sweep",
            &FRAMES_PER_SWEEP.to_string(),
            "--phase-out",
            &prefix.to_string_lossy(),
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "numpy peers failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peers: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("peers print one JSON line");
    let peer = |name: &str| Timing {
        wall: Duration::from_secs_f64(peers[format!("{name}_s")].as_f64().expect("peer wall time")),
        cpu_s: peers[format!("{name}_cpu_s")]
            .as_f64()
            .expect("peer CPU time"),
    };
    let (fft, fft_row, tensordot) = (
        peer("fft_per_pixel"),
        peer("fft_per_row"),
        peer("tensordot"),
    );

    println!(
        "{:<26} {:>9} {:>9} {:>10} {:>12}  compared",
        "method", "wall (s)", "MB/s", "CPU s/run", "MB per CPU-s"
    );
    let row = |name: &str, t: Timing, note: String| {
        println!(
            "{name:<26} {:>9.3} {:>9.0} {:>10.3} {:>12.0}  {note}",
            t.wall.as_secs_f64(),
            megabytes / t.wall.as_secs_f64(),
            t.cpu_s,
            megabytes / t.cpu_s
        );
    };
    let share_of_sum = |t: Timing| {
        format!(
            "{:.0}% of the plain sum's speed (wall), {:.0}% per CPU-s",
            100.0 * sum_time.wall.as_secs_f64() / t.wall.as_secs_f64(),
            100.0 * sum_time.cpu_s / t.cpu_s
        )
    };
    let kernel_is_faster = |t: Timing| {
        format!(
            "rust kernel is {:.1}× faster (wall), {:.1}× per CPU-s",
            t.wall.as_secs_f64() / kernel_time.wall.as_secs_f64(),
            t.cpu_s / kernel_time.cpu_s
        )
    };
    row("plain sum (memory ref)", sum_time, String::new());
    row("rust kernel", kernel_time, share_of_sum(kernel_time));
    row(
        "rust plugin (receive)",
        plugin_time,
        share_of_sum(plugin_time),
    );
    let numpy = peers["numpy"].as_str().unwrap_or("?");
    row(
        &format!("numpy {numpy} fft per pixel"),
        fft,
        kernel_is_faster(fft),
    );
    row(
        &format!("numpy {numpy} fft per row"),
        fft_row,
        kernel_is_faster(fft_row),
    );
    row(
        &format!("numpy {numpy} tensordot"),
        tensordot,
        kernel_is_faster(tensordot),
    );

    let fft_phase = read_f64(&prefix.with_extension("fft_per_pixel.f64"));
    let fft_row_phase = read_f64(&prefix.with_extension("fft_per_row.f64"));
    let tensordot_phase = read_f64(&prefix.with_extension("tensordot.f64"));
    println!(
        "max |phase difference| rad: kernel vs fft per pixel {:.2e}, per row {:.2e}, tensordot {:.2e}, plugin {:.2e}",
        max_phase_difference(&kernel, &fft_phase),
        max_phase_difference(&kernel, &fft_row_phase),
        max_phase_difference(&kernel, &tensordot_phase),
        max_phase_difference(&kernel, &plugin)
    );
}
