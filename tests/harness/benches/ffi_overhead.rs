//! Per-item cost of handing an 8 MiB frame (2048 x 2048 u16) to a no-op stage
//! through the FFI (`StageBox::receive`, as the runtime does) against calling
//! the same Rust `Plugin::receive` directly. Items are lent, not copied, so
//! both should be nanoseconds; a copy is timed for scale.
//!
//! Run: `cargo bench -p macroscope-plugin-harness --bench ffi_overhead`

use std::hint::black_box;
use std::time::{Duration, Instant};

use macroscope_plugin_api::{
    schemars::{self, JsonSchema},
    InputPort, Item, Outputs, Plugin, PluginError, PluginInfo, PluginKind, PortSpec,
};
use macroscope_plugin_harness::{OwnedItem, PluginUnderTest, Timeline};
use serde_json::json;

#[derive(serde::Deserialize, JsonSchema)]
struct NoParams {}

/// Looks at the item's length and nothing else.
struct NoOp;

impl Plugin for NoOp {
    type Params = NoParams;

    const INFO: PluginInfo = PluginInfo {
        name: "no-op",
        version: "0.1.0",
        kind: PluginKind::OTHER,
        description: "Does nothing with each item.",
        authors: &["macroscope developers"],
        deterministic: true,
    };

    fn outputs(_: &NoParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        Ok(Vec::new())
    }

    fn start(_: NoParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(NoOp)
    }

    fn receive(
        &mut self,
        _input: usize,
        item: Item<'_>,
        _out: &mut Outputs,
    ) -> Result<(), PluginError> {
        black_box(item.bytes().len());
        Ok(())
    }
}

const SIDE: usize = 2048;
const ITEMS: u32 = 1_000_000;

fn per_item(total: Duration, items: u32) -> f64 {
    total.as_nanos() as f64 / f64::from(items)
}

fn main() {
    let timeline = Timeline {
        rate_hz: 60.0,
        frames_per_sweep: 1,
        sweeps_per_direction: 1,
    };
    let frames = timeline.camera_frames(SIDE, SIDE, |f, r, c| (f + r + c) as u16);
    let frame: &OwnedItem = &frames.items[0];
    let megabytes = frame.data.as_bytes().len() as f64 / (1024.0 * 1024.0);

    let plugin = PluginUnderTest::of::<NoOp>();
    let mut stage = plugin
        .start(&json!({}), std::slice::from_ref(&frames))
        .expect("no-op starts");
    let start = Instant::now();
    for _ in 0..ITEMS {
        black_box(
            stage
                .receive(0, black_box(frame))
                .expect("no-op never fails"),
        );
    }
    let ffi = per_item(start.elapsed(), ITEMS);

    let mut direct_stage = NoOp::start(NoParams {}, &[]).expect("no-op starts");
    let mut out = Outputs::default();
    let start = Instant::now();
    for _ in 0..ITEMS {
        direct_stage
            .receive(0, Item::new(black_box(frame).as_ref()), &mut out)
            .expect("no-op never fails");
        black_box(out.take());
    }
    let direct = per_item(start.elapsed(), ITEMS);

    let copies = 50;
    let start = Instant::now();
    for _ in 0..copies {
        black_box(black_box(frame.data.as_bytes()).to_vec());
    }
    let copy = per_item(start.elapsed(), copies);

    println!("no-op stage, {SIDE}x{SIDE} u16 items ({megabytes:.0} MiB each), {ITEMS} items");
    println!("  through the FFI (StageBox::receive): {ffi:10.1} ns/item");
    println!("  direct Rust call (Plugin::receive):  {direct:10.1} ns/item");
    println!(
        "  ratio FFI / direct:                  {:10.1}x",
        ffi / direct
    );
    println!("  for scale, copying one item:         {copy:10.1} ns/item");
}
