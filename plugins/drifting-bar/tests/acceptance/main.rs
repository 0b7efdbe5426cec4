//! Acceptance tests of the drifting-bar stimulus: geometry on hand-computed cases, rendered
//! frames against the schedule, and the schedule against the port contract.
// Reference computations: independent of the plugin's portable `libm`, so
// the platform's own functions are what a check should use (plugins/clippy.toml).
#![allow(clippy::disallowed_methods)]

mod frames;
mod geometry;
mod pipeline;
mod run;
mod schedule;
