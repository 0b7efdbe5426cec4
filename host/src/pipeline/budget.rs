//! What a run will take, known from the declared ports before anything is
//! allocated: each output's item size and expected size, the run's expected
//! file size and duration, and the host's limits on them, which hold for
//! every plugin, third-party ones included.

use std::path::Path;

use macroscope_plugin_api::{PortKind, PortSpec};

use super::PipelineError;
use crate::readable;

/// The most one item of an output may take (1 GB): a producer, the queue
/// behind it and the compressor each hold whole items in memory, and an HDF5
/// chunk (at least one item) cannot pass 4 GiB.
pub const MAX_ITEM_BYTES: u64 = 1_000_000_000;

/// The most one output may be expected to write, before compression (1 PB):
/// more than a lab's disk array holds, so only a mistaken parameter asks for it.
pub const MAX_OUTPUT_BYTES: u64 = 1_000_000_000_000_000;

/// Port attributes that give the rate, in items per second, at which a
/// source emits in a real rig: the schedule contract's display rate and a
/// camera's frame rate.
const RATE_ATTRIBUTES: [&str; 2] = ["display_rate_hz", "frame_rate_hz"];

/// Bytes of one item of `port`: its array plus its metadata columns;
/// `None` past `u64`.
pub fn item_bytes(port: &PortSpec) -> Option<u64> {
    let array = port
        .shape
        .iter()
        .try_fold(port.element.size() as u64, |bytes, &d| bytes.checked_mul(d))?;
    port.columns
        .iter()
        .try_fold(array, |bytes, c| bytes.checked_add(c.element.size() as u64))
}

/// How much `port` will hold, if it says how many items it expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A stream that does not say how many items it will carry.
    Unknown,
    /// This many bytes, before compression.
    Bytes(u64),
    /// More than `u64` bytes.
    Overflow,
}

/// The size `port` is expected to reach, before compression.
pub fn expected_bytes(port: &PortSpec) -> Expected {
    let Some(items) = port.expected_items() else {
        return Expected::Unknown;
    };
    match item_bytes(port).and_then(|bytes| bytes.checked_mul(items)) {
        Some(bytes) => Expected::Bytes(bytes),
        None => Expected::Overflow,
    }
}

/// The first of `outputs` the host cannot hold: an item past
/// [`MAX_ITEM_BYTES`] or an expected size past [`MAX_OUTPUT_BYTES`].
pub fn over_limit(outputs: &[PortSpec]) -> Option<OverLimit<'_>> {
    outputs.iter().find_map(|port| {
        let item = item_bytes(port);
        if item.is_none_or(|bytes| bytes > MAX_ITEM_BYTES) {
            return Some(OverLimit::Item { port, bytes: item });
        }
        match expected_bytes(port) {
            Expected::Bytes(bytes) if bytes <= MAX_OUTPUT_BYTES => None,
            Expected::Unknown => None,
            Expected::Bytes(bytes) => Some(OverLimit::Output {
                port,
                bytes: Some(bytes),
            }),
            Expected::Overflow => Some(OverLimit::Output { port, bytes: None }),
        }
    })
}

/// An output past one of the host's limits; sizes `None` past `u64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OverLimit<'a> {
    /// One item is larger than [`MAX_ITEM_BYTES`].
    Item {
        /// The port.
        port: &'a PortSpec,
        /// Bytes of one item.
        bytes: Option<u64>,
    },
    /// The output would grow larger than [`MAX_OUTPUT_BYTES`].
    Output {
        /// The port.
        port: &'a PortSpec,
        /// Bytes it would hold.
        bytes: Option<u64>,
    },
}

impl OverLimit<'_> {
    /// The error `validate` reports for stage `stage` of plugin `plugin`.
    pub fn error(self, stage: String, plugin: String) -> PipelineError {
        match self {
            OverLimit::Item { port, bytes } => PipelineError::ItemTooLarge {
                stage,
                plugin,
                port: port.name.to_string(),
                spec: port.describe(),
                bytes,
            },
            OverLimit::Output { port, bytes } => PipelineError::OutputTooLarge {
                stage,
                plugin,
                port: port.name.to_string(),
                items: port.expected_items().unwrap_or_default(),
                item_bytes: item_bytes(port).unwrap_or_default(),
                bytes,
            },
        }
    }
}

/// What a whole run is expected to take, from its stages' declared ports.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEstimate {
    /// Bytes written before compression, summed over the ports that say;
    /// `None` past `u64`.
    pub file_bytes: Option<u64>,
    /// Ports that do not say how many items they will carry.
    pub unknown_ports: usize,
    /// The longest source at its real-time rate: `stage.port`, items, rate (Hz).
    pub longest_source: Option<(String, u64, f64)>,
}

impl RunEstimate {
    /// The estimate for `stages`, each an id and its declared outputs.
    pub fn of<'a>(stages: impl IntoIterator<Item = (&'a str, &'a [PortSpec])>) -> RunEstimate {
        let mut estimate = RunEstimate {
            file_bytes: Some(0),
            unknown_ports: 0,
            longest_source: None,
        };
        for (stage, outputs) in stages {
            for port in outputs {
                match expected_bytes(port) {
                    Expected::Unknown => estimate.unknown_ports += 1,
                    Expected::Bytes(bytes) => {
                        estimate.file_bytes = estimate.file_bytes.and_then(|b| b.checked_add(bytes))
                    }
                    Expected::Overflow => estimate.file_bytes = None,
                }
                let (Some(items), Some(rate)) = (port.expected_items(), rate_hz(port)) else {
                    continue;
                };
                let longer = estimate
                    .longest_source
                    .as_ref()
                    .is_none_or(|(_, n, r)| items as f64 / rate > *n as f64 / r);
                if port.kind == PortKind::STREAM && longer {
                    estimate.longest_source = Some((format!("{stage}.{}", port.name), items, rate));
                }
            }
        }
        estimate
    }

    /// One line: `expected: 14 min 50 s of recording (stimulus.schedule:
    /// 53,400 items at 60 Hz); up to 1.9 GB written before compression`.
    pub fn describe(&self) -> String {
        let duration = match &self.longest_source {
            Some((port, items, rate)) => format!(
                "{} at the sources' real-time rates ({port}: {} items at {} Hz)",
                readable::duration(*items as f64 / rate),
                readable::count(*items as f64),
                readable::count(*rate)
            ),
            None => "duration unknown (no source declares its rate)".to_owned(),
        };
        let unknown = match self.unknown_ports {
            0 => String::new(),
            1 => " and 1 stream of unknown length".to_owned(),
            n => format!(" and {n} streams of unknown length"),
        };
        format!(
            "expected: {duration}; {} before compression{unknown}",
            readable::size(self.file_bytes)
        )
    }
}

/// The warning a run gets when it may write more than the volume holding its
/// output has free (`free` bytes): `None` when it fits or its size is unknown.
/// Sizes are before compression, so a run warned about may still fit; the
/// warning says so rather than refusing a run that compresses well.
pub fn space_warning(estimate: &RunEstimate, output: &Path, free: u64) -> Option<String> {
    let bytes = estimate.file_bytes?;
    if bytes <= free {
        return None;
    }
    let folder = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(format!(
        "warning: {} has {} free and this run may write up to {} before compression: \
         free space or choose another `output` before recording (a disk that fills ends the \
         run `failed`, keeping what was written)",
        folder.display(),
        readable::bytes(free),
        readable::bytes(bytes)
    ))
}

/// The real-time rate (Hz) a port's attributes declare, if any.
fn rate_hz(port: &PortSpec) -> Option<f64> {
    let attributes = port.attributes_json();
    RATE_ATTRIBUTES
        .iter()
        .find_map(|key| attributes.get(key)?.as_f64())
        .filter(|rate| rate.is_finite() && *rate > 0.0)
}

#[cfg(test)]
mod tests {
    use macroscope_plugin_api::{ColumnSpec, ElementType};

    use super::*;

    fn frames(items: u64, side: u64) -> PortSpec {
        PortSpec::stream("frames", ElementType::U16, &[side, side])
            .with_column(ColumnSpec::new("t", ElementType::F64, "s", "time"))
            .with_attributes(&serde_json::json!({ "frame_rate_hz": 10.0 }))
            .with_expected_items(items)
    }

    #[test]
    fn an_item_is_its_array_and_its_columns() {
        assert_eq!(item_bytes(&frames(1, 100)), Some(20_008));
    }

    #[test]
    fn an_item_whose_shape_passes_u64_has_no_size() {
        let port = PortSpec::stream("x", ElementType::F64, &[u64::MAX, 2]);
        assert_eq!(item_bytes(&port), None);
        assert!(matches!(
            over_limit(&[port]),
            Some(OverLimit::Item { bytes: None, .. })
        ));
    }

    #[test]
    fn an_output_past_the_limit_is_found_with_its_size() {
        let port = frames(100_000_000_000, 100);
        assert_eq!(
            over_limit(std::slice::from_ref(&port)),
            Some(OverLimit::Output {
                port: &port,
                bytes: Some(2_000_800_000_000_000)
            })
        );
    }

    #[test]
    fn a_run_is_expected_to_last_as_long_as_its_longest_source() {
        let estimate = RunEstimate::of([("camera", &[frames(8_900, 100)][..])]);
        assert_eq!(
            estimate.describe(),
            "expected: 14 min 50 s at the sources' real-time rates (camera.frames: 8,900 items at 10 Hz); \
             178.1 MB before compression"
        );
    }

    #[test]
    fn a_stream_of_unknown_length_is_counted_apart() {
        let port = PortSpec::stream("rows", ElementType::U8, &[4]);
        assert_eq!(
            RunEstimate::of([("source", &[port][..])]).describe(),
            "expected: duration unknown (no source declares its rate); 0 B before compression \
             and 1 stream of unknown length"
        );
    }

    /// The estimate of a run writing `file_bytes`.
    fn writing(file_bytes: Option<u64>) -> RunEstimate {
        RunEstimate {
            file_bytes,
            unknown_ports: 0,
            longest_source: None,
        }
    }

    #[test]
    fn a_run_larger_than_the_free_space_is_warned_naming_the_folder_and_both_sizes() {
        let warning = space_warning(
            &writing(Some(1_700_000_000)),
            Path::new("runs/demo.h5"),
            16_777_216,
        );
        assert_eq!(
            warning.as_deref(),
            Some(
                "warning: runs has 16.8 MB free and this run may write up to 1.7 GB before compression: \
                 free space or choose another `output` before recording (a disk that fills ends the run \
                 `failed`, keeping what was written)"
            )
        );
    }

    #[test]
    fn a_run_that_fits_or_whose_size_is_unknown_is_not_warned() {
        let output = Path::new("demo.h5");
        assert_eq!(space_warning(&writing(Some(1_000)), output, 1_000), None);
        assert_eq!(space_warning(&writing(None), output, 0), None);
    }
}
