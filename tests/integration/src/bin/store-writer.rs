//! Writes a long synthetic camera stream through the storage sink, for the
//! tests that kill it or fill its disk.
//!
//! `store-writer OUTPUT STORE_DIR FRAMES HEIGHT WIDTH INTERVAL_MS`
//!
//! `FAILPOINTS` (the `fail` crate's syntax, e.g. `store::mid-seal=return`)
//! makes the process abort at that step of the store, as a kill would.
//!
//! Prints `flushed N` each time the count of items safely on disk grows,
//! then `status S` (and `error E`) when the run ends; exits 0 on `complete`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use macroscope_integration::store_fixtures::{options, pipeline, run, StageDef, TestCamera};

fn main() -> ExitCode {
    let _fail_points = fail::FailScenario::setup();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [output, store, frames, height, width, interval] = args.as_slice() else {
        eprintln!("usage: store-writer OUTPUT STORE_DIR FRAMES HEIGHT WIDTH INTERVAL_MS");
        return ExitCode::from(2);
    };
    let number = |text: &str| text.parse::<u64>().expect("numeric argument");
    let params = serde_json::json!({
        "frames": number(frames), "height": number(height), "width": number(width), "interval_ms": number(interval),
    });
    let camera = pipeline(
        &PathBuf::from(output),
        vec![StageDef::of::<TestCamera>("camera", params, vec![])],
    );
    let mut last = 0;
    let ran = run(camera, &options(&PathBuf::from(store)), |sink| {
        let flushed = sink.flushed_items(0, 0).unwrap_or(0);
        if flushed > last {
            last = flushed;
            println!("flushed {flushed}");
            let _ = std::io::stdout().flush();
        }
    });
    match ran {
        Ok(ran) => {
            println!("status {}", ran.summary.status.as_str());
            if let Some(error) = &ran.summary.error {
                println!("error {error}");
            }
            if ran.summary.status.as_str() == "complete" {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            println!("error {e}");
            ExitCode::FAILURE
        }
    }
}
