//! Generates a whole stimulus through the plugin's `poll`, dropping each frame as a sink would
//! after writing it, and prints frames/s: a driver for measuring peak memory (RSS).
//!
//! ```sh
//! cargo build --release -p drifting-bar --example full_stimulus
//! /usr/bin/time -v target/release/examples/full_stimulus            # defaults: 4 directions × 10 sweeps
//! target/release/examples/full_stimulus '{"downsample": 2}'         # any parameters, as JSON
//! ```

use std::time::Instant;

use drifting_bar::{params::Params, DriftingBar};
use macroscope_plugin_api::{Flow, Outputs, Plugin};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let json = std::env::args().nth(1).unwrap_or_else(|| "{}".to_owned());
    let params: Params = serde_json::from_str(&json)?;
    let ports = DriftingBar::outputs(&params, &[])?;
    let mut stage = DriftingBar::start(params, &[])?;
    let shape = ports[0].shape.clone();
    let (mut out, mut frames, mut bytes) = (Outputs::default(), 0_u64, 0_u64);
    let started = Instant::now();
    loop {
        let flow = stage.poll(&mut out)?;
        for emission in out.take().into_iter().filter(|e| e.port == 0) {
            frames += 1;
            bytes += emission.data.len() as u64;
        }
        if flow == Flow::Finished {
            break;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{frames} frames of {shape:?} ({:.1} GB) in {seconds:.1} s: {:.0} frames/s",
        bytes as f64 / 1e9,
        frames as f64 / seconds
    );
    Ok(())
}
