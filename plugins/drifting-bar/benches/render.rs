//! Stimulus bench: frames/s at 1920 × 1200 (downsample 1) for drifting-bar's renderer and for
//! the vectorised numpy peer `benches/stimulus/numpy_peer.py`, measured in the same run on the
//! same frames (half an LR sweep across azimuth, half a BT sweep across altitude).
//!
//! ```sh
//! cargo bench -p drifting-bar --bench render            # FRAMES=4000 PEER_FRAMES=200 by default
//! ```
//!
//! Besides wall-clock frames/s it reports frames per CPU-second of the whole process (user +
//! system time from `/proc/self/stat`), which stays meaningful on a machine shared with other
//! jobs: on an idle machine wall-clock frames/s ≈ that × the cores a side can use (ours: all,
//! the numpy peer: one).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;

use drifting_bar::geometry::{Field, Monitor, SampleGrid};
use drifting_bar::params::{Direction, Params};
use drifting_bar::render::Renderer;
use drifting_bar::schedule::{BarState, FrameState};
use drifting_bar::DriftingBar;
use macroscope_plugin_api::{Flow, Outputs, Plugin};

const PEER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../benches/stimulus/numpy_peer.py"
);

/// The peer's `DUMP_BARS`: (direction, bar centre, polarity).
const DUMP_BARS: [(Direction, f64, i8); 4] = [
    (Direction::LR, 30.0, 1),
    (Direction::LR, 100.0, -1),
    (Direction::BT, -20.0, 1),
    (Direction::BT, 35.0, -1),
];

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bar_frame(index: u64, direction: Direction, centre_deg: f64, polarity: i8) -> FrameState {
    FrameState {
        index,
        time_s: 0.0,
        bar: Some(BarState {
            direction,
            sweep: 0,
            centre_deg,
        }),
        polarity,
        indicator: 255,
    }
}

/// The peer's `bench_frames`: half LR across the azimuth field, half BT across altitude.
fn bench_frames(field: Field, n: usize, half_width: f64) -> Vec<FrameState> {
    let half = (n / 2).max(1);
    (0..n)
        .map(|i| {
            let direction = if i < half {
                Direction::LR
            } else {
                Direction::BT
            };
            let span = field.along(direction.axis());
            let (start, end) = (span.min - half_width, span.max + half_width);
            let centre = start + (end - start) * ((i % half) as f64 / half as f64);
            bar_frame(
                i as u64,
                direction,
                centre,
                if (i / 10) % 2 == 0 { 1 } else { -1 },
            )
        })
        .collect()
}

/// Wall-clock and CPU time of a measured section.
struct Clock {
    wall: Instant,
    cpu_s: f64,
}

impl Clock {
    fn start() -> Self {
        Clock {
            wall: Instant::now(),
            cpu_s: process_cpu_seconds(),
        }
    }

    /// (frames per wall second, frames per CPU second).
    fn rates(&self, frames: usize) -> (f64, f64) {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = process_cpu_seconds() - self.cpu_s;
        (frames as f64 / wall, frames as f64 / cpu)
    }
}

/// User + system CPU time of this process, all threads (Linux `/proc/self/stat`, in USER_HZ = 100 ticks/s).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the parenthesised command name start at field 3; utime and stime are 14 and 15.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |field: usize| {
        fields
            .get(field - 3)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(14) + ticks(15)) / 100.0
}

/// Renderer alone: batches of 2 × threads frames rendered in parallel, as `poll` does, into
/// reused buffers (so the allocator's cost is left out).
fn bench_renderer(params: &Params, frames: usize) -> (f64, f64) {
    let monitor = Monitor::from_params(params);
    let states = bench_frames(monitor.field(), frames, params.bar_width_deg / 2.0);
    let renderer = Renderer::new(SampleGrid::new(&monitor, 1), params);
    let batch = 2 * rayon::current_num_threads();
    renderer.render_batch(&states[..batch]); // warm-up
    let mut buffers = vec![Vec::with_capacity(renderer.width() * renderer.height()); batch];
    let clock = Clock::start();
    for chunk in states.chunks(batch) {
        buffers
            .par_iter_mut()
            .zip(chunk)
            .for_each(|(buffer, state)| renderer.render_into(state, buffer));
        std::hint::black_box(&buffers);
    }
    clock.rates(frames)
}

/// The whole stage: `poll` with schedule rows and emissions over a real timeline (two LR and two
/// BT sweeps, no baseline), each frame a fresh allocation handed over and dropped (as a sink
/// would after writing it). Returns the rates and the number of frames.
fn bench_plugin(params: &Params) -> ((f64, f64), usize) {
    let params = Params {
        baseline_before_s: 0.0,
        baseline_after_s: 0.0,
        sweeps_per_direction: 2,
        directions: vec![Direction::LR, Direction::BT],
        ..params.clone()
    };
    let mut stage = DriftingBar::start(params, &[]).expect("default parameters are valid");
    let mut out = Outputs::default();
    let (mut emitted, clock) = (0, Clock::start());
    loop {
        let flow = stage.poll(&mut out).expect("poll succeeds");
        emitted += out.take().len() / 2;
        if flow == Flow::Finished {
            break;
        }
    }
    (clock.rates(emitted), emitted)
}

/// Runs the numpy peer; returns its (wall, CPU) frames/s and its DUMP_BARS frames.
fn run_peer(frames: usize) -> Option<((f64, f64), Vec<u8>)> {
    let dump = std::env::temp_dir().join(format!("drifting-bar-peer-{}.raw", std::process::id()));
    let output = Command::new("python3")
        .arg(PEER)
        .args(["--frames", &frames.to_string(), "--dump"])
        .arg(&dump)
        .output()
        .map_err(|e| eprintln!("cannot run python3 {PEER}: {e}"))
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "numpy peer failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let pixels = std::fs::read(&dump).ok()?;
    std::fs::remove_file(Path::new(&dump)).ok();
    let rates = (
        report["frames_per_s"].as_f64()?,
        report["frames_per_cpu_s"].as_f64()?,
    );
    Some((rates, pixels))
}

/// Fraction of pixels on which our DUMP_BARS frames equal the peer's.
fn agreement(params: &Params, peer_pixels: &[u8]) -> f64 {
    let renderer = Renderer::new(SampleGrid::new(&Monitor::from_params(params), 1), params);
    let ours: Vec<u8> = DUMP_BARS
        .iter()
        .flat_map(|&(direction, centre, polarity)| {
            renderer.render(&bar_frame(0, direction, centre, polarity))
        })
        .collect();
    let same = ours.iter().zip(peer_pixels).filter(|(a, b)| a == b).count();
    same as f64 / ours.len().max(peer_pixels.len()) as f64
}

fn main() {
    let frames = env_count("FRAMES", 4000);
    let peer_frames = env_count("PEER_FRAMES", 200);
    let params = Params::default();
    println!(
        "drifting-bar stimulus bench: {}x{} px, downsample 1, {} rayon threads",
        params.width_px,
        params.height_px,
        rayon::current_num_threads()
    );
    println!("{:<34} {:>12} {:>14}", "", "frames/s", "frames/CPU-s");
    let row = |name: &str, (wall, cpu): (f64, f64), n: usize| {
        println!("{name:<34} {wall:>12.1} {cpu:>14.1}   ({n} frames)")
    };
    let renderer = bench_renderer(&params, frames);
    row("renderer (render_into, reused)", renderer, frames);
    let (plugin, plugin_frames) = bench_plugin(&params);
    row("plugin (poll, fresh frames)", plugin, plugin_frames);
    match run_peer(peer_frames) {
        Some((peer, pixels)) => {
            row("numpy peer (mask + np.where)", peer, peer_frames);
            for (name, (wall, cpu)) in [("renderer", renderer), ("plugin", plugin)] {
                println!(
                    "{name} / numpy: {:.1}x wall-clock, {:.1}x per CPU-second",
                    wall / peer.0,
                    cpu / peer.1
                );
            }
            println!(
                "pixels identical to the peer's frames: {:.5} %",
                100.0 * agreement(&params, &pixels)
            );
        }
        None => println!("numpy peer unavailable (needs python3 with numpy)"),
    }
}
