//! Acceptance tests of the drifting-bar stimulus: geometry on hand-computed cases, rendered
//! frames against the schedule, and the schedule against the port contract.

mod frames;
mod geometry;
mod pipeline;
mod run;
mod schedule;
