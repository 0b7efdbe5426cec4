//! `frame-mean`: a macroscope analysis plugin to copy and adapt.
//!
//! It takes one u16 frames stream `[H, W]` (a camera's `frames` port) and
//! declares two outputs:
//! - `mean`, a stream: the mean pixel value of each frame (times `gain`), with
//!   the frame's number in a `frame_index` column;
//! - `mean_image`, a dataset: the mean of all frames, pixel by pixel, emitted
//!   once in `finish`.

use macroscope_plugin_api::{
    schemars::{self, JsonSchema},
    ColumnSpec, ElementType, InputPort, InputSpec, Item, Outputs, Plugin, PluginError, PluginInfo,
    PluginKind, PortSpec, Scalar,
};
use serde::Deserialize;

/// Parameters of `frame-mean` (the `params` table of its pipeline stage).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Factor applied to every frame mean; must not be negative.
    #[serde(default = "default_gain")]
    #[schemars(range(min = 0.0))]
    pub gain: f64,
    /// Fault injection for the conformance suite: panic while handling the
    /// frame with this 0-based index. Leave unset in real pipelines.
    #[serde(default)]
    pub panic_at_frame: Option<u64>,
}

fn default_gain() -> f64 {
    1.0
}

/// The running stage.
#[derive(Debug)]
pub struct FrameMean {
    gain: f64,
    panic_at_frame: Option<u64>,
    /// Position of the input's `frame_id` column, if it has one.
    frame_id_column: Option<usize>,
    /// Running pixel sums of every frame so far.
    sums: Vec<f64>,
    /// Shape of the mean image, `[H, W]`.
    image_shape: [u64; 2],
    frames_seen: u64,
}

impl Plugin for FrameMean {
    type Params = Params;

    const INFO: PluginInfo = PluginInfo {
        name: "frame-mean",
        version: env!("CARGO_PKG_VERSION"),
        kind: PluginKind::ANALYSIS,
        description:
            "The mean of every frame of a u16 frames stream, and the mean image of the run.",
        authors: &["Your Lab <lab@example.org>"],
        deterministic: true,
    };

    fn inputs() -> Option<Vec<InputSpec>> {
        Some(vec![InputSpec::stream("frames")
            .of(&[ElementType::U16])
            .with_rank(2)
            .with_description("camera frames [H, W]")])
    }

    fn outputs(params: &Params, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        if params.gain < 0.0 {
            return Err(PluginError::parameter(
                "gain",
                format!("must be 0 or more, got {}", params.gain),
            ));
        }
        let [height, width] = frame_shape(inputs)?;
        let mean = PortSpec::stream("mean", ElementType::F64, &[])
            .with_unit("counts")
            .with_description("mean pixel value of each frame, times gain")
            .with_column(ColumnSpec::new(
                "frame_index",
                ElementType::I64,
                "",
                "the input's frame_id, else its arrival order",
            ));
        let mean_image = PortSpec::dataset("mean_image", ElementType::F64, &[height, width])
            .with_unit("counts")
            .with_description("mean of all frames, pixel by pixel");
        Ok(vec![mean, mean_image])
    }

    fn start(params: Params, inputs: &[InputPort]) -> Result<Self, PluginError> {
        let image_shape = frame_shape(inputs)?;
        Ok(FrameMean {
            gain: params.gain,
            panic_at_frame: params.panic_at_frame,
            frame_id_column: inputs[0].spec.column_index("frame_id"),
            sums: vec![0.0; (image_shape[0] * image_shape[1]) as usize],
            image_shape,
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
                "fault injected at frame {} (panic_at_frame)",
                self.frames_seen
            );
        }
        let pixels = item.data::<u16>()?;
        if pixels.len() != self.sums.len() {
            return Err(PluginError::input(
                0,
                format!(
                    "frame {} has {} pixels, the port declared {:?}",
                    self.frames_seen,
                    pixels.len(),
                    self.image_shape
                ),
            ));
        }
        let mut total = 0.0;
        for (sum, &p) in self.sums.iter_mut().zip(pixels) {
            *sum += f64::from(p);
            total += f64::from(p);
        }
        let frame_index = match self.frame_id_column.and_then(|c| item.meta().get(c)) {
            Some(id) => id.as_i64(),
            None => self.frames_seen as i64,
        };
        let mean = self.gain * total / pixels.len() as f64;
        out.emit(0, vec![mean], &[Scalar::Int(frame_index)]);
        self.frames_seen += 1;
        Ok(())
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        if self.frames_seen == 0 {
            return Err(PluginError::input(0, "no frame arrived"));
        }
        if self.frames_seen == 1 {
            out.warn("only one frame arrived: the mean image is that frame, not an average");
        }
        let n = self.frames_seen as f64;
        out.emit(1, self.sums.iter().map(|s| s / n).collect(), &[]);
        Ok(())
    }
}

/// The `[H, W]` of the one frames input.
fn frame_shape(inputs: &[InputPort]) -> Result<[u64; 2], PluginError> {
    match inputs {
        [frames] => match frames.spec.shape.as_slice() {
            &[height, width] => Ok([height, width]),
            other => Err(PluginError::input(
                0,
                format!("expected frames of shape [H, W], got {other:?}"),
            )),
        },
        _ => Err(PluginError::new(format!(
            "takes exactly one input (a frames stream), got {}",
            inputs.len()
        ))),
    }
}

macroscope_plugin_api::export_plugins!(FrameMean);
