//! Example third-party analysis plugin: the mean, minimum and maximum of every
//! frame of a camera or stimulus `frames` stream.
//!
//! It is written the way a lab outside this repository would write one: it
//! depends only on `macroscope-plugin-api`, builds as a `cdylib`, and exports
//! itself with [`macroscope_plugin_api::export_plugins!`]. See `docs/plugins.md`.

use macroscope_plugin_api::{
    schemars::{self, JsonSchema},
    ColumnSpec, ElementType, InputPort, InputSpec, Item, Outputs, Plugin, PluginError, PluginInfo,
    PluginKind, PortSpec, Scalar,
};
use serde::Deserialize;

/// Parameters of `example-frame-stats`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Fault injection for tests: panic while handling the frame with this
    /// 0-based index (counted in arrival order). Leave unset in real pipelines.
    #[serde(default)]
    pub panic_at_frame: Option<u64>,
}

/// The running stage: per-frame statistics of one frames stream.
#[derive(Debug)]
pub struct FrameStats {
    panic_at_frame: Option<u64>,
    /// Position of the input's frame-number column, if it has one.
    frame_number_column: Option<usize>,
    frames_seen: u64,
}

/// Columns that number frames in the port contract: stimuli say `frame_index`, cameras `frame_id`.
const FRAME_NUMBER_COLUMNS: [&str; 2] = ["frame_index", "frame_id"];

impl Plugin for FrameStats {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "example-frame-stats",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::ANALYSIS,
        description: "Per-frame mean, minimum and maximum of a u8 or u16 frames stream. \
                      An example of a plugin built outside the host as a dynamic library.",
        authors: &["macroscope developers"],
        deterministic: true,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(vec![InputSpec::stream("frames")
            .of(&[ElementType::U8, ElementType::U16])
            .with_rank(2)
            .with_description("camera or stimulus frames [H, W]")])
    }

    fn outputs(_params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        if inputs.len() != 1 {
            return Err(PluginError::new(format!(
                "takes exactly one input (a frames stream), got {}",
                inputs.len()
            )));
        }
        let stats = PortSpec::stream("stats", ElementType::F64, &[3])
            .with_unit("counts")
            .with_description("(mean, min, max) of the pixel values of each frame")
            .with_column(ColumnSpec::new(
                "frame_index",
                ElementType::I64,
                "",
                "the input's frame number (frame_index or frame_id), else its arrival order",
            ));
        Ok(vec![stats])
    }

    fn start(params: Params, inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(FrameStats {
            panic_at_frame: params.panic_at_frame,
            frame_number_column: inputs.first().and_then(|input| {
                FRAME_NUMBER_COLUMNS
                    .iter()
                    .find_map(|c| input.spec.column_index(c))
            }),
            frames_seen: 0,
        })
    }

    fn receive(
        &mut self,
        _input: usize,
        item: Item<'_>,
        out: &mut Outputs,
    ) -> Result<(), PluginError> {
        if self.panic_at_frame == Some(self.frames_seen) {
            panic!(
                "fault injected at frame {} (parameter panic_at_frame)",
                self.frames_seen
            );
        }
        let stats = match item.element() {
            ElementType::U8 => mean_min_max(item.data::<u8>()?),
            ElementType::U16 => mean_min_max(item.data::<u16>()?),
            other => {
                return Err(PluginError::new(format!(
                    "expected u8 or u16 frames, got {other}"
                )))
            }
        }
        .ok_or_else(|| PluginError::new(format!("frame {} is empty", self.frames_seen)))?;
        let frame_number = match self.frame_number_column.and_then(|c| item.meta().get(c)) {
            Some(value) => value.as_i64(),
            None => self.frames_seen as i64,
        };
        out.emit(0, stats.to_vec(), &[Scalar::Int(frame_number)]);
        self.frames_seen += 1;
        Ok(())
    }
}

/// `[mean, min, max]` of the pixels, or `None` for an empty frame.
fn mean_min_max<T: Copy + Into<f64> + Ord>(pixels: &[T]) -> Option<[f64; 3]> {
    let min = pixels.iter().copied().min()?;
    let max = pixels.iter().copied().max()?;
    let sum: f64 = pixels.iter().map(|&p| p.into()).sum();
    Some([sum / pixels.len() as f64, min.into(), max.into()])
}

macroscope_plugin_api::export_plugins!(FrameStats);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_small_frame() {
        assert_eq!(mean_min_max(&[1u16, 5, 3, 7]), Some([4.0, 1.0, 7.0]));
    }

    #[test]
    fn an_empty_frame_has_no_statistics() {
        assert_eq!(mean_min_max::<u8>(&[]), None);
    }
}
