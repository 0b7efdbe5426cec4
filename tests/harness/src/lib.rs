//! Plugin test harness: runs a macroscope plugin through its real FFI
//! descriptor on synthetic inputs, collects its outputs per port, and checks it
//! against the conformance suite.
//!
//! A lab adds this crate to its plugin's `[dev-dependencies]`:
//!
//! ```ignore
//! use macroscope_plugin_harness::{conformance, PluginUnderTest, Timeline};
//!
//! let plugin = PluginUnderTest::of::<MyStage>();
//! let timeline = Timeline { rate_hz: 10.0, frames_per_sweep: 4, sweeps_per_direction: 1 };
//! let frames = timeline.camera_frames(8, 8, |frame, row, col| (frame + row + col) as u16);
//! let output = plugin.run(&serde_json::json!({}), &[frames.clone()]).unwrap();
//! let report = conformance::check(&plugin, &conformance::Scenario::new(&plugin, serde_json::json!({}), vec![frames]));
//! assert!(report.passed(), "{report:?}");
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
