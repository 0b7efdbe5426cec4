//! Small plugins and a sequential driver for the storage-sink tests: they
//! build `Pipeline` values with its builder and play the runtime's part (declare, start,
//! run in topological order, hand every item to the `Sink`), so the sink is
//! tested on its own. Every value the plugins emit follows a closed formula
//! (see each plugin), so tests check stored data against known answers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use macroscope::item::HostItem;
use macroscope::pipeline::{InputSource, Pipeline};
use macroscope::registry::{Origin, RegisteredPlugin};
use macroscope::runtime::{run_plan, Started};
use macroscope::store::{replay_dataset, RunStatus, RunSummary, Sink, StoreError, StoreOptions};
use macroscope_plugin_api::{
    ColumnSpec, ElementType, Flow, InputPort, Item, Outputs, Plugin, PluginError, PluginHandle,
    PluginInfo, PluginKind, PortSpec, RunClock, Scalar, DROPPED_BEFORE,
};
use serde::Deserialize;

/// Frames `TestStimulus` made, by its `level` parameter (tests run in
/// parallel: each test that counts uses a level of its own).
static STIMULUS_FRAMES_MADE: Mutex<BTreeMap<u16, usize>> = Mutex::new(BTreeMap::new());

/// How many frames `TestStimulus` with `level` has made in this process.
pub fn stimulus_frames_made(level: u16) -> usize {
    STIMULUS_FRAMES_MADE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&level)
        .copied()
        .unwrap_or(0)
}

/// Pixel `(row, col)` of stimulus frame `i`: `level + 3 i + row · width + col`.
pub fn stimulus_pixel(level: u16, width: u32, i: u64, row: u32, col: u32) -> u16 {
    level + 3 * i as u16 + (row * width + col) as u16
}

/// A deterministic pseudo-random value in 0..256 for `(a, b, c)`: noise in
/// the low byte of the test camera's frames, like shot noise, so the sink
/// stores that byte plane rather than compressing it and the tests that read
/// camera frames back decode that path too.
pub fn noise_byte(a: u64, b: u64, c: u64) -> u16 {
    let mut x = a.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ b.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ c.wrapping_mul(0x1656_67B1_9E37_79F9);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x & 0xFF) as u16
}

/// Direction code of stimulus frame `i`: -1 every fifth frame, else `i mod 4`.
pub fn stimulus_direction(i: u64) -> i8 {
    if i.is_multiple_of(5) {
        -1
    } else {
        (i % 4) as i8
    }
}

/// Pixel `(row, col)` of camera frame `i`: `1000 + (31 i + 7 row + 3 col) mod 3000
/// + noise_byte(i, row, col)`.
pub fn camera_pixel(i: u64, row: u64, col: u64) -> u16 {
    1000 + ((31 * i + 7 * row + 3 * col) % 3000) as u16 + noise_byte(i, row, col)
}

/// Parameters of [`TestStimulus`].
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StimulusParams {
    /// Frames to produce.
    #[serde(default = "default_frames")]
    pub frames: u64,
    /// Frame height.
    #[serde(default = "default_height")]
    pub height: u32,
    /// Frame width.
    #[serde(default = "default_width")]
    pub width: u32,
    /// Base grey level.
    #[serde(default = "default_level")]
    pub level: u16,
}

fn default_frames() -> u64 {
    12
}
fn default_height() -> u32 {
    8
}
fn default_width() -> u32 {
    6
}
fn default_level() -> u16 {
    1000
}

/// A deterministic stimulus: `frames` (u16 stream with `frame_index`,
/// `time_s`), `schedule` (f64 scalar stream = `time_s`, column `direction`),
/// and `mean` (f64 dataset: the per-pixel mean of the frames).
pub struct TestStimulus {
    params: StimulusParams,
    next: u64,
}

impl Plugin for TestStimulus {
    type Params = StimulusParams;
    const INFO: PluginInfo = PluginInfo {
        name: "test-stimulus",
        version: "1.2.3",
        kind: PluginKind::STIMULUS,
        description: "Test stimulus with closed-form frames.",
        authors: &["macroscope tests"],
        deterministic: true,
    };

    fn outputs(
        params: &StimulusParams,
        _inputs: &[InputPort],
    ) -> Result<Vec<PortSpec>, PluginError> {
        let shape = [params.height as u64, params.width as u64];
        Ok(vec![
            PortSpec::stream("frames", ElementType::U16, &shape)
                .with_unit("counts")
                .with_description("test frames")
                .with_column(ColumnSpec::new(
                    "frame_index",
                    ElementType::I64,
                    "",
                    "frame number",
                ))
                .with_column(ColumnSpec::new(
                    "time_s",
                    ElementType::F64,
                    "s",
                    "time from start",
                ))
                .with_attributes(&serde_json::json!({"display_rate_hz": 60.0})),
            PortSpec::stream("schedule", ElementType::F64, &[])
                .with_unit("s")
                .with_column(ColumnSpec::new(
                    "direction",
                    ElementType::I8,
                    "",
                    "0=LR 1=RL 2=BT 3=TB -1=none",
                )),
            PortSpec::dataset("mean", ElementType::F64, &shape).with_unit("counts"),
        ])
    }

    fn start(params: StimulusParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(TestStimulus { params, next: 0 })
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        let p = &self.params;
        if self.next == p.frames {
            return Ok(Flow::Finished);
        }
        let i = self.next;
        let frame: Vec<u16> = (0..p.height)
            .flat_map(|r| (0..p.width).map(move |c| stimulus_pixel(p.level, p.width, i, r, c)))
            .collect();
        let time = i as f64 / 60.0;
        out.emit(0, frame, &[Scalar::Int(i as i64), Scalar::Float(time)]);
        out.emit(
            1,
            vec![time],
            &[Scalar::Int(i64::from(stimulus_direction(i)))],
        );
        *STIMULUS_FRAMES_MADE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(p.level)
            .or_default() += 1;
        self.next += 1;
        Ok(Flow::Continue)
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        let p = &self.params;
        let mean_offset = 3.0 * (p.frames as f64 - 1.0) / 2.0;
        let mean: Vec<f64> = (0..p.height)
            .flat_map(|r| {
                (0..p.width).map(move |c| {
                    f64::from(stimulus_pixel(p.level, p.width, 0, r, c)) + mean_offset
                })
            })
            .collect();
        out.emit(2, mean, &[]);
        Ok(())
    }
}

/// Parameters of [`TestMean`].
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeanParams {
    /// Factor applied to the sum.
    #[serde(default = "default_scale")]
    pub scale: f64,
}

fn default_scale() -> f64 {
    1.0
}

/// A deterministic analysis: `total` (f64 dataset) = `scale` × the per-pixel
/// sum of the u16 frames it receives.
pub struct TestMean {
    scale: f64,
    sum: Vec<f64>,
    shape: Vec<u64>,
}

impl Plugin for TestMean {
    type Params = MeanParams;
    const INFO: PluginInfo = PluginInfo {
        name: "test-mean",
        version: "0.4.0",
        kind: PluginKind::ANALYSIS,
        description: "Test analysis summing frames.",
        authors: &["macroscope tests"],
        deterministic: true,
    };

    fn outputs(_params: &MeanParams, inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        let input = inputs.first().ok_or("test-mean needs one frames input")?;
        Ok(vec![PortSpec::dataset(
            "total",
            ElementType::F64,
            &input.spec.shape,
        )])
    }

    fn start(params: MeanParams, inputs: &[InputPort]) -> Result<Self, PluginError> {
        let input = inputs.first().ok_or("test-mean needs one frames input")?;
        let shape: Vec<u64> = input.spec.shape.to_vec();
        let len = shape.iter().product::<u64>() as usize;
        Ok(TestMean {
            scale: params.scale,
            sum: vec![0.0; len],
            shape,
        })
    }

    fn receive(
        &mut self,
        _input: usize,
        item: Item<'_>,
        _out: &mut Outputs,
    ) -> Result<(), PluginError> {
        for (s, &v) in self.sum.iter_mut().zip(item.data::<u16>()?) {
            *s += f64::from(v);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        let _ = &self.shape;
        out.emit(0, self.sum.iter().map(|s| s * self.scale).collect(), &[]);
        Ok(())
    }
}

/// Parameters of [`TestCamera`].
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraParams {
    /// Frames to produce.
    pub frames: u64,
    /// Frame height.
    pub height: u64,
    /// Frame width.
    pub width: u64,
    /// Pause before each frame, in milliseconds.
    #[serde(default)]
    pub interval_ms: u64,
    /// Also a `dropped_before` column (always 0: this camera loses nothing).
    #[serde(default)]
    pub counts_drops: bool,
}

/// A (non-deterministic, as cameras are) camera: `frames` u16 with
/// `frame_id` (u64) and `timestamp_ns` (i64 = `frame_id` × 1 ms) columns
/// (and `dropped_before` if asked), pixels from [`camera_pixel`].
pub struct TestCamera {
    params: CameraParams,
    next: u64,
}

impl Plugin for TestCamera {
    type Params = CameraParams;
    const INFO: PluginInfo = PluginInfo {
        name: "test-camera",
        version: "0.0.1",
        kind: PluginKind::CAMERA,
        description: "Test camera with closed-form frames.",
        authors: &["macroscope tests"],
        deterministic: false,
    };

    fn outputs(params: &CameraParams, _inputs: &[InputPort]) -> Result<Vec<PortSpec>, PluginError> {
        let frames = PortSpec::stream("frames", ElementType::U16, &[params.height, params.width])
            .with_unit("counts")
            .with_column(ColumnSpec::new(
                "frame_id",
                ElementType::U64,
                "",
                "camera frame counter",
            ))
            .with_column(ColumnSpec::new(
                "timestamp_ns",
                ElementType::I64,
                "ns",
                "exposure time",
            ));
        Ok(vec![if params.counts_drops {
            frames.with_column(ColumnSpec::new(
                DROPPED_BEFORE,
                ElementType::U64,
                "",
                "frames lost before this one",
            ))
        } else {
            frames
        }])
    }

    fn start(params: CameraParams, _inputs: &[InputPort]) -> Result<Self, PluginError> {
        Ok(TestCamera { params, next: 0 })
    }

    fn poll(&mut self, out: &mut Outputs) -> Result<Flow, PluginError> {
        let p = &self.params;
        if self.next == p.frames {
            return Ok(Flow::Finished);
        }
        if p.interval_ms > 0 {
            std::thread::sleep(Duration::from_millis(p.interval_ms));
        }
        let i = self.next;
        let frame: Vec<u16> = (0..p.height)
            .flat_map(|r| (0..p.width).map(move |c| camera_pixel(i, r, c)))
            .collect();
        let meta = [
            Scalar::Int(i as i64),
            Scalar::Int(i as i64 * 1_000_000),
            Scalar::Int(0),
        ];
        let columns = if p.counts_drops { 3 } else { 2 };
        out.emit(0, frame, &meta[..columns]);
        self.next += 1;
        Ok(Flow::Continue)
    }
}

/// Where a test stage's input comes from.
pub enum Input {
    /// Output `port` of earlier stage `stage`.
    Stage(usize, usize),
    /// A dataset of an existing file (`file:PATH#/dataset`).
    File(PathBuf, String),
}

/// A stage to add to a test pipeline.
pub struct StageDef {
    /// Stage id.
    pub id: &'static str,
    /// Descriptor of its plugin.
    pub plugin: PluginHandle,
    /// Its parameters.
    pub params: serde_json::Value,
    /// Its inputs.
    pub inputs: Vec<Input>,
}

impl StageDef {
    /// A stage of plugin `P`.
    pub fn of<P: Plugin>(
        id: &'static str,
        params: serde_json::Value,
        inputs: Vec<Input>,
    ) -> StageDef {
        StageDef {
            id,
            plugin: PluginHandle::of::<P>(),
            params,
            inputs,
        }
    }
}

/// Declares `stages` (upstream first) into a pipeline writing `output`,
/// through the pipeline's builder.
pub fn pipeline(output: &Path, stages: Vec<StageDef>) -> Pipeline {
    let mut builder = Pipeline::builder("store-test", output).written_as(
        Path::new("tests/store.toml"),
        "[pipeline]\nname = \"store-test\"\n",
    );
    for def in stages {
        let inputs = def
            .inputs
            .into_iter()
            .map(|input| match input {
                Input::Stage(stage, port) => InputSource::Stage { stage, port },
                Input::File(path, dataset) => InputSource::File { path, dataset },
            })
            .collect();
        let plugin = RegisteredPlugin {
            handle: def.plugin,
            origin: Origin::Builtin,
        };
        builder = builder
            .stage(def.id, plugin, def.params, inputs)
            .unwrap_or_else(|e| panic!("stage {} cannot be declared: {e}", def.id));
    }
    builder.build()
}

/// The sink for `pipeline`, told about it as the runtime tells it (no device started).
pub fn create_sink(pipeline: &Pipeline, options: &StoreOptions) -> Result<Sink, StoreError> {
    Sink::create(&run_plan(pipeline, &Started::default()), options)
}

/// A stimulus → mean pipeline.
pub fn stimulus_and_mean(output: &Path, stimulus: serde_json::Value, scale: f64) -> Pipeline {
    pipeline(
        output,
        vec![
            StageDef::of::<TestStimulus>("stimulus", stimulus, vec![]),
            StageDef::of::<TestMean>(
                "mean",
                serde_json::json!({"scale": scale}),
                vec![Input::Stage(0, 0)],
            ),
        ],
    )
}

/// Runs a stimulus → mean pipeline (see [`stimulus_and_mean`]) writing
/// `dir/NAME` with its store in `dir/store`, and asserts the run completed.
pub fn run_stimulus_and_mean(
    dir: &Path,
    name: &str,
    stimulus: serde_json::Value,
    scale: f64,
) -> Ran {
    let ran = run(
        stimulus_and_mean(&dir.join(name), stimulus, scale),
        &options(&dir.join("store")),
        |_| {},
    )
    .unwrap();
    assert_eq!(
        ran.summary.status,
        RunStatus::Complete,
        "{:?}",
        ran.summary.error
    );
    ran
}

/// Options for a test: the given store, small worker pool.
pub fn options(store: &Path) -> StoreOptions {
    StoreOptions {
        store_dir: store.to_owned(),
        compression_threads: 2,
        ..StoreOptions::default()
    }
}

/// What [`run`] did.
pub struct Ran {
    /// The sink's summary.
    pub summary: RunSummary,
    /// For each stage: true if it ran, false if its outputs were reused.
    pub executed: Vec<bool>,
}

/// Plays the runtime: creates the sink, runs every stage in order (or
/// replays its reused outputs), writes every item, and finishes `Complete`,
/// or `Failed` after the first error (which is then in the summary).
/// `on_write` is called after each write (the kill-test writer reports flushes with it).
pub fn run(
    pipeline: Pipeline,
    options: &StoreOptions,
    mut on_write: impl FnMut(&Sink),
) -> Result<Ran, StoreError> {
    let mut sink = create_sink(&pipeline, options)?;
    let mut executed = Vec::new();
    let outcome = drive(&pipeline, &mut sink, &mut executed, &mut on_write);
    let status = if outcome.is_ok() {
        RunStatus::Complete
    } else {
        RunStatus::Failed
    };
    let reason = outcome.as_ref().err().map(ToString::to_string);
    let mut summary = sink.finish(status, reason.as_deref())?;
    if let Some(reason) = reason {
        summary.error.get_or_insert(reason);
    }
    Ok(Ran { summary, executed })
}

fn drive(
    pipeline: &Pipeline,
    sink: &mut Sink,
    executed: &mut Vec<bool>,
    on_write: &mut impl FnMut(&Sink),
) -> Result<(), StoreError> {
    let plugin_error = |e: macroscope_plugin_api::PluginError| StoreError::Misuse(e.to_string());
    let mut produced: Vec<Vec<(usize, Arc<HostItem>)>> = Vec::new();
    for index in 0..pipeline.stages().len() {
        if let Some(replay) = sink.reused(index) {
            produced.push(replay.collect::<Result<_, _>>()?);
            executed.push(false);
            continue;
        }
        executed.push(true);
        let stage = &pipeline.stages()[index];
        let outputs = stage.outputs().to_vec();
        let mut instance = stage
            .plugin()
            .handle
            .start(
                stage.params(),
                &stage.input_ports(),
                outputs.clone(),
                RunClock::starting_now(),
            )
            .map_err(plugin_error)?;
        let mut mine = Vec::new();
        let mut emit = |sink: &mut Sink,
                        emissions: Vec<macroscope_plugin_api::Emission>|
         -> Result<(), StoreError> {
            for e in emissions {
                let port = e.port as usize;
                let item = Arc::new(HostItem {
                    data: e.data,
                    shape: outputs[port].shape.to_vec(),
                    meta: e.meta.to_vec(),
                });
                sink.write(index, port, &item)?;
                on_write(sink);
                mine.push((port, item));
            }
            Ok(())
        };
        if stage.inputs().is_empty() {
            loop {
                let (emissions, finished) = instance.poll().map_err(plugin_error)?;
                emit(sink, emissions)?;
                if finished {
                    break;
                }
            }
        } else {
            for (input, binding) in stage.inputs().iter().enumerate() {
                let items: Vec<Arc<HostItem>> = match binding.source() {
                    InputSource::Stage { stage: up, port } => produced[*up]
                        .iter()
                        .filter(|(p, _)| p == port)
                        .map(|(_, item)| Arc::clone(item))
                        .collect(),
                    InputSource::File { path, dataset } => replay_dataset(path, dataset)?
                        .map(|r| r.map(|(_, item)| item))
                        .collect::<Result<_, _>>()?,
                };
                for item in items {
                    let out = instance
                        .receive(input, HostItem::view(&item))
                        .map_err(plugin_error)?;
                    emit(sink, out)?;
                }
            }
        }
        let out = instance.finish().map_err(plugin_error)?;
        emit(sink, out)?;
        produced.push(mine);
    }
    Ok(())
}
