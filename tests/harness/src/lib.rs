//! Plugin test harness: runs a macroscope plugin through its real FFI
//! descriptor on synthetic inputs, collects its outputs per port, and checks it
//! against the conformance suite.
//!
//! A lab adds this crate to its plugin's `[dev-dependencies]`:
//!
//! ```
//! use example_frame_stats::FrameStats;
//! use macroscope_plugin_harness::{conformance, PluginUnderTest, Timeline};
//! use serde_json::json;
//!
//! let plugin = PluginUnderTest::of::<FrameStats>();
//! let timeline = Timeline { rate_hz: 10.0, frames_per_sweep: 1, sweeps_per_direction: 1 };
//! // Four 2 x 2 frames; every pixel of frame f is f.
//! let frames = timeline.camera_frames(2, 2, |frame, _row, _col| frame as u16);
//! let output = plugin.run(&json!({}), &[frames.clone()]).unwrap();
//! assert_eq!(output.port("stats").unwrap().values::<f64>().unwrap()[3], [3.0, 3.0, 3.0]);
//!
//! let scenario = conformance::Scenario::new(&plugin, json!({}), vec![frames]);
//! assert!(conformance::check(&plugin, &scenario).passed());
//! ```
//!
//! It depends only on `macroscope-plugin-api`, never on the host.
#![deny(missing_docs)]

pub mod conformance;
mod digest;
mod driver;
mod synthetic;

pub use driver::{HarnessError, PluginUnderTest, PortOutput, RunOutput, Stage, MAX_SOURCE_POLLS};
pub use synthetic::{FrameState, InputStream, OwnedItem, Timeline};
