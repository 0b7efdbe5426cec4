//! Storage-sink benchmark: the same 250 camera-like 1024 × 1024 u16 frames
//! (mean 1200–3000 counts, Gaussian noise σ = 30) written through the sink
//! and, in the same run, through h5py with (a) gzip 4 in (1, H, W) chunks and
//! (b) shuffle + gzip 1 in (1, H, W) chunks. Prints MB/s, the sink's speed-up
//! over each h5py setting, and compression ratios.
//!
//! Run with `benches/run.sh` (or `cargo bench -p macroscope --bench store_sink`);
//! the h5py side runs `benches/h5py_peer.py`, which makes its own venv.
//! Environment: `BENCH_FRAMES` (default 250), `BENCH_SIDE` (default 1024),
//! `BENCH_THREADS` (sink compression threads, default all cores),
//! `BENCH_LEVEL` (sink deflate level, default 1), `BENCH_DIR` (scratch directory).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use macroscope::item::HostItem;
use macroscope::pipeline::Pipeline;
use macroscope::registry::{Origin, RegisteredPlugin};
use macroscope::runtime::{run_plan, Started};
use macroscope::store::{RunStatus, Sink, StoreOptions};
use macroscope_plugin_api::{
    ArrayData, ColumnSpec, ElementType, InputPort, Plugin, PluginError, PluginHandle, PluginInfo,
    PluginKind, PortSpec, Scalar,
};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

/// Stands in for a camera so the pipeline has a plugin to describe; the
/// benchmark hands its frames to the sink itself.
struct BenchCamera;

/// The side of the benchmark's square frames.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct BenchParams {
    side: u64,
}

impl Plugin for BenchCamera {
    type Params = BenchParams;
    const INFO: PluginInfo = PluginInfo {
        name: "bench-camera",
        version: "0.0.0",
        kind: PluginKind::CAMERA,
        description: "Benchmark frames.",
        authors: &[],
        deterministic: false,
    };
    fn outputs(params: &BenchParams, _: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        let side = params.side;
        Ok(vec![PortSpec::stream(
            "frames",
            ElementType::U16,
            &[side, side],
        )
        .with_unit("counts")
        .with_column(ColumnSpec::new(
            "frame_id",
            ElementType::U64,
            "",
            "frame counter",
        ))
        .with_column(ColumnSpec::new(
            "timestamp_ns",
            ElementType::I64,
            "ns",
            "exposure time",
        ))])
    }
    fn start(_: BenchParams, _: &[InputPort]) -> Result<Self, PluginError> {
        Err("the benchmark camera is never started".into())
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Camera-like frames: a smooth illumination field between 1200 and 3000
/// counts (brighter centre, a gradient across), dark vessel-like stripes,
/// and Gaussian shot noise of σ = 30, deterministic from a seed.
fn frames(count: usize, side: usize) -> Vec<Vec<u16>> {
    let mut base = vec![0f64; side * side];
    for r in 0..side {
        for c in 0..side {
            let (y, x) = (r as f64 / side as f64 - 0.5, c as f64 / side as f64 - 0.5);
            let vignette = 1.0 - 1.6 * (x * x + y * y);
            let vessel = (-((x * 9.0 + (y * 5.0).sin()).sin().abs() * 12.0)).exp();
            base[r * side + c] = 1200.0
                + 1800.0 * (0.55 * vignette + 0.35 * (x + 0.5)).clamp(0.0, 1.0)
                - 300.0 * vessel;
        }
    }
    let noise = Normal::new(0.0, 30.0).expect("valid normal");
    (0..count)
        .map(|i| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(i as u64);
            let drift = 20.0 * (i as f64 / 25.0).sin();
            base.iter()
                .map(|b| {
                    (b + drift + noise.sample(&mut rng) + rng.random::<f64>() - 0.5).round() as u16
                })
                .collect()
        })
        .collect()
}

/// CPU seconds this process has used (user + system, all threads), from
/// `/proc/self/stat`; 0 where there is no procfs.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}

fn pipeline(output: &Path, side: u64) -> Pipeline {
    let camera = RegisteredPlugin {
        handle: PluginHandle::of::<BenchCamera>(),
        origin: Origin::Builtin,
    };
    Pipeline::builder("bench", output)
        .written_as(Path::new("benches/store_sink.rs"), "")
        .stage(
            "camera",
            camera,
            serde_json::json!({ "side": side }),
            vec![],
        )
        .expect("the benchmark camera declares its frames")
        .build()
}

fn main() {
    let count: usize = env_or("BENCH_FRAMES", 250);
    let side: usize = env_or("BENCH_SIDE", 1024);
    let level: u32 = env_or("BENCH_LEVEL", 1);
    let threads: usize = env_or("BENCH_THREADS", 0);
    let scratch = tempfile::Builder::new()
        .prefix("macroscope-bench")
        .tempdir_in(
            std::env::var("BENCH_DIR")
                .unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
        )
        .expect("scratch directory");
    let dir = scratch.path();
    eprintln!("generating {count} frames of {side}×{side} u16 ...");
    let frames = frames(count, side);
    let raw_bytes = (count * side * side * 2) as f64;
    let mean = frames[0].iter().map(|&v| f64::from(v)).sum::<f64>() / (side * side) as f64;
    eprintln!(
        "frame 0: mean {mean:.0} counts, min {}, max {}",
        frames[0].iter().min().unwrap(),
        frames[0].iter().max().unwrap()
    );
    let raw_path = dir.join("frames.u16");
    std::fs::write(
        &raw_path,
        frames
            .iter()
            .flat_map(|f| f.iter().flat_map(|v| v.to_le_bytes()))
            .collect::<Vec<u8>>(),
    )
    .expect("raw frames for the h5py peer");
    let items: Vec<Arc<HostItem>> = frames
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            Arc::new(HostItem {
                data: ArrayData::from_vec(f),
                shape: vec![side as u64, side as u64],
                meta: vec![Scalar::Int(i as i64), Scalar::Int(i as i64 * 33_333_333)],
            })
        })
        .collect();

    let output = dir.join("sink.h5");
    let options = StoreOptions {
        store_dir: dir.join("store"),
        deflate_level: level,
        compression_threads: threads,
        ..StoreOptions::default()
    };
    let plan = run_plan(&pipeline(&output, side as u64), &Started::default());
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut sink = Sink::create(&plan, &options).expect("sink");
    let created = started.elapsed().as_secs_f64();
    for item in &items {
        sink.write(0, 0, item).expect("write");
    }
    let streamed = started.elapsed().as_secs_f64();
    let summary = sink.finish(RunStatus::Complete, None).expect("finish");
    let sink_seconds = started.elapsed().as_secs_f64();
    let sink_cpu = cpu_seconds() - cpu_before;
    eprintln!(
        "sink: created after {created:.2} s, writes returned after {streamed:.2} s, sealed (hashes, fsync, rename) after \
         {sink_seconds:.2} s, {sink_cpu:.2} CPU-seconds ({:.1} MB per CPU-second)",
        raw_bytes / 1e6 / sink_cpu
    );
    assert_eq!(summary.status, RunStatus::Complete);
    let sink_size = std::fs::metadata(&output).expect("output").len() as f64;

    if std::env::var("BENCH_PEER").is_ok_and(|v| v == "0") {
        println!(
            "sink only: {:.2} s, {:.1} MB/s, compression {:.2}×",
            sink_seconds,
            raw_bytes / 1e6 / sink_seconds,
            raw_bytes / sink_size
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/h5py_peer.py");
    let python = std::env::var("MACROSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let peer = Command::new(python)
        .arg(&script)
        .arg(&raw_path)
        .args([count.to_string(), side.to_string(), side.to_string()])
        .arg(dir)
        .output()
        .expect("run the h5py peer");
    if !peer.status.success() {
        panic!(
            "h5py peer failed:\n{}",
            String::from_utf8_lossy(&peer.stderr)
        );
    }
    let results: serde_json::Value =
        serde_json::from_slice(&peer.stdout).expect("the peer prints JSON");

    let mb = raw_bytes / 1e6;
    let threads_used = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    println!("{count} frames × {side}×{side} u16 = {mb:.1} MB raw; sink: {threads_used} compression threads, deflate level {level}");
    println!(
        "{:<36} {:>8} {:>8} {:>11} {:>9} {:>9} {:>9}",
        "writer", "seconds", "MB/s", "compression", "sink is", "CPU-s", "MB/CPU-s"
    );
    let sink_rate = mb / sink_seconds;
    println!(
        "{:<36} {:>8.2} {:>8.1} {:>10.2}× {:>9} {:>9.2} {:>9.1}",
        "macroscope sink (shuffle+deflate)",
        sink_seconds,
        sink_rate,
        raw_bytes / sink_size,
        "-",
        sink_cpu,
        mb / sink_cpu
    );
    for (key, label) in [
        ("gzip4", "h5py gzip 4, chunks (1,H,W)"),
        ("shuffle_gzip1", "h5py shuffle+gzip 1, chunks (1,H,W)"),
    ] {
        let seconds = results[key]["seconds"].as_f64().expect("seconds");
        let cpu = results[key]["cpu_seconds"].as_f64().expect("cpu_seconds");
        let size = results[key]["bytes"].as_f64().expect("bytes");
        println!(
            "{label:<36} {seconds:>8.2} {:>8.1} {:>10.2}× {:>8.1}× {cpu:>9.2} {:>9.1}",
            mb / seconds,
            raw_bytes / size,
            sink_rate / (mb / seconds),
            mb / cpu
        );
    }
    println!(
        "MB/s: wall clock; the sink's runs from Sink::create to a sealed, fsynced, renamed file."
    );
    println!("MB/CPU-s: per CPU-second used, which other load on the machine hardly changes.");
}
