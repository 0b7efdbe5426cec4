//! The runtime: one thread per stage, bounded channels between them
//! (back-pressure), every emitted item handed to the one [`Sink`].
//!
//! Items are [`SharedItem`](crate::item::SharedItem)s: the buffer a plugin emitted, moved into an `Arc`
//! and lent (never copied) to each downstream stage and to the sink.

mod dispatch;
mod progress;
mod run_plan;
mod stage_thread;
mod stop;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender};

use crate::pipeline::{InputSource, Pipeline};
use crate::store::{Sink, StageWarning, StoreError};

pub use progress::{ProgressMode, LINE_EVERY};
pub use run_plan::run_plan;
pub use stop::StopSignal;

use dispatch::{Consumer, Dispatcher, SinkMsg};
use stage_thread::{Launch, StageInput, StageTask, StageWork};

use macroscope_plugin_api::{PortSpec, RunClock, RunningStage};

/// How the runtime behaves.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Items a channel holds before its sender waits (back-pressure).
    pub queue_depth: usize,
    /// How progress is shown.
    pub progress: ProgressMode,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            queue_depth: 64,
            progress: ProgressMode::detect(LINE_EVERY),
        }
    }
}

/// Why a run did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A stage returned an error or panicked.
    #[error("stage `{stage}` (plugin `{plugin}`) failed: {message}")]
    Stage {
        /// Stage id.
        stage: String,
        /// Plugin name.
        plugin: String,
        /// What the plugin (or the runtime about it) said.
        message: String,
    },
    /// The sink could not write.
    #[error("the storage sink failed: {0}")]
    Sink(#[from] StoreError),
    /// Ctrl-C (or another stop request) ended the run early.
    #[error("the run was interrupted")]
    Interrupted,
}

/// What one stage did during a run.
#[derive(Debug, Clone, Default)]
pub struct StageReport {
    /// Stage id.
    pub stage: String,
    /// Plugin name.
    pub plugin: String,
    /// Items emitted, all ports together.
    pub items: u64,
    /// Items dropped before the sink because its queue was full (cameras only).
    pub dropped: u64,
    /// The stage did not run: its outputs were replayed from the store.
    pub reused: bool,
    /// The distinct warnings the stage reported, in the order first reported.
    pub warnings: Vec<String>,
}

/// What a run did.
#[derive(Debug)]
pub struct RunReport {
    /// Per stage, in pipeline order.
    pub stages: Vec<StageReport>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// `Ok` when every stage finished; otherwise the first failure.
    pub outcome: Result<(), RunError>,
}

impl RunReport {
    /// Every stage's warnings, in pipeline order.
    pub fn warnings(&self) -> impl Iterator<Item = StageWarning> + '_ {
        self.stages.iter().flat_map(|stage| {
            stage.warnings.iter().map(|message| StageWarning {
                stage: stage.stage.clone(),
                plugin: stage.plugin.clone(),
                message: message.clone(),
            })
        })
    }
}

/// The run clock and the stages started before the sink exists: see
/// [`start_devices`]. The runtime owns the running instances;
/// `Started::default()` has none, and a clock whose zero is when it was made.
pub struct Started {
    clock: RunClock,
    stages: Vec<Option<RunningStage>>,
}

impl Default for Started {
    fn default() -> Self {
        Started {
            clock: RunClock::starting_now(),
            stages: Vec::new(),
        }
    }
}

impl Started {
    /// The outputs stage `index` reported when it started, if it was started.
    pub fn outputs_of(&self, index: usize) -> Option<&[PortSpec]> {
        self.stages.get(index)?.as_ref().map(RunningStage::outputs)
    }

    /// The run clock every stage of the run is told (docs/science.md §1).
    pub fn clock(&self) -> RunClock {
        self.clock
    }
}

/// Records the run clock's zero — the run's start, once, before any stage
/// starts — and starts every stage that is not deterministic (a camera, a
/// device) before anything is stored: a missing or misconfigured device fails
/// the run while no file exists, and what a device reports at start (serial
/// number, the settings it applied) is merged into its ports, so the sink
/// stores it ([`run_plan`] takes them and the clock from here). Deterministic
/// stages start on their own threads, on the same clock, and only when their
/// outputs are not reused from the store.
pub fn start_devices(pipeline: &Pipeline) -> Result<Started, RunError> {
    let clock = RunClock::starting_now();
    let mut started = Vec::with_capacity(pipeline.stages().len());
    for stage in pipeline.stages() {
        let handle = &stage.plugin().handle;
        if handle.deterministic() {
            started.push(None);
            continue;
        }
        let running = handle
            .start(
                stage.params(),
                &stage.input_ports(),
                stage.outputs().to_vec(),
                clock,
            )
            .map_err(|error| RunError::Stage {
                stage: stage.id().to_owned(),
                plugin: handle.name().to_owned(),
                message: error.message().to_owned(),
            })?;
        started.push(Some(running));
    }
    Ok(Started {
        clock,
        stages: started,
    })
}

/// Runs `pipeline`, sending every output to `sink`; `started` holds the stages
/// [`start_devices`] started. Returns the sink (to be finished by the caller
/// with the status the outcome implies, the stages' warnings recorded in it)
/// and a report.
pub fn run(
    pipeline: Pipeline,
    mut sink: Sink,
    started: Started,
    options: &RunOptions,
    stop: &StopSignal,
) -> (Sink, RunReport) {
    let began = Instant::now();
    let n = pipeline.stages().len();
    let depth = options.queue_depth.max(1);

    // One merged input channel per stage; consumers of each output port.
    let (inputs_tx, inputs_rx): (Vec<Sender<StageInput>>, Vec<Receiver<StageInput>>) =
        (0..n).map(|_| bounded(depth)).unzip();
    let mut consumers: Vec<Vec<Vec<Consumer>>> = pipeline
        .stages()
        .iter()
        .map(|s| vec![Vec::new(); s.outputs().len()])
        .collect();
    let mut file_feeds = Vec::new();
    for (index, stage) in pipeline.stages().iter().enumerate() {
        for (input, binding) in stage.inputs().iter().enumerate() {
            match binding.source() {
                InputSource::Stage { stage: up, port } => {
                    consumers[*up][*port].push((inputs_tx[index].clone(), input as u32))
                }
                InputSource::File { path, dataset } => file_feeds.push((
                    index,
                    input as u32,
                    path.clone(),
                    dataset.clone(),
                    inputs_tx[index].clone(),
                )),
            }
        }
    }
    let upstream_counts: Vec<usize> = pipeline.stages().iter().map(|s| s.inputs().len()).collect();

    // One sink queue per stage: a fast stage filling its queue never makes a
    // camera drop frames; the sink serves whichever queue has items.
    let (sink_txs, sink_rxs): (Vec<Sender<SinkMsg>>, Vec<Receiver<SinkMsg>>) =
        (0..n).map(|_| bounded(depth)).unzip();
    let progress = progress::Progress::start(&pipeline, options.progress);
    let outputs: Vec<Vec<PortSpec>> = (pipeline.stages().iter().enumerate())
        .map(|(i, s)| started.outputs_of(i).unwrap_or(s.outputs()).to_vec())
        .collect();

    let mut work = plan_work(&pipeline, &mut sink, started);

    let failure = Arc::new(stop::FirstFailure::default());
    let mut handles = Vec::new();
    let mut inputs_rx = inputs_rx.into_iter().map(Some).collect::<Vec<_>>();
    for (((index, consumers), sink_tx), outputs) in
        consumers.into_iter().enumerate().zip(sink_txs).zip(outputs)
    {
        let stage = &pipeline.stages()[index];
        let dispatcher = Dispatcher::new(
            (index, outputs),
            stage.plugin().handle.kind(),
            consumers,
            sink_tx,
            progress.counter(index),
        );
        let task = StageTask {
            id: stage.id().to_owned(),
            plugin: stage.plugin().handle.name().to_owned(),
            work: std::mem::replace(&mut work[index], StageWork::Unneeded),
            inputs: inputs_rx[index]
                .take()
                .expect("each stage's receiver is taken once"),
            open_inputs: upstream_counts[index],
            dispatcher,
            stop: stop.clone(),
            failure: failure.clone(),
        };
        let name = format!("stage-{}", stage.id());
        handles.push(
            thread::Builder::new()
                .name(name)
                .spawn(move || task.run())
                .expect("spawn stage thread"),
        );
    }
    // Only dispatchers and file feeds may hold input senders, so a stage sees
    // its channel disconnect when everything upstream is gone.
    drop(inputs_tx);
    let feeders = stage_thread::spawn_file_feeds(file_feeds, &pipeline, stop, &failure);

    // The sink runs on this thread: it is the only one touching HDF5.
    let mut sink_error = None;
    for msg in merged(sink_rxs) {
        if sink_error.is_some() {
            continue; // keep draining so no stage blocks forever
        }
        let result = match msg {
            SinkMsg::Item {
                stage,
                port,
                item,
                dropped,
            } => sink.write_after_drops(stage, port, &item, dropped),
            SinkMsg::Dropped { stage, port, count } => {
                sink.record_dropped(stage, port, count);
                Ok(())
            }
        };
        if let Err(err) = result {
            stop.request_failure();
            sink_error = Some(err);
        }
    }
    let stages: Vec<StageReport> = handles
        .into_iter()
        .map(|h| h.join().expect("stage threads catch their own panics"))
        .collect();
    for feeder in feeders {
        let _ = feeder.join();
    }
    progress.finish();

    let outcome = if let Some(err) = sink_error {
        Err(RunError::Sink(err))
    } else if let Some(err) = failure.take() {
        Err(err)
    } else if stop.interrupted() {
        Err(RunError::Interrupted)
    } else {
        Ok(())
    };
    let report = RunReport {
        stages,
        elapsed: began.elapsed(),
        outcome,
    };
    for warning in report.warnings() {
        sink.record_warning(warning);
    }
    (sink, report)
}

/// Decides what each stage does: run its plugin, or (its outputs being in the
/// store) replay them, but only when a stage that still runs consumes them.
fn plan_work(pipeline: &Pipeline, sink: &mut Sink, started: Started) -> Vec<StageWork> {
    let replays: Vec<Option<crate::store::Replay>> = (0..pipeline.stages().len())
        .map(|i| sink.reused(i))
        .collect();
    let runs: Vec<bool> = replays.iter().map(Option::is_none).collect();
    let needed_by_a_running_stage = |producer: usize| {
        pipeline.stages().iter().zip(&runs).any(|(stage, &runs)| {
            runs && stage.inputs().iter().any(
                |b| matches!(b.source(), InputSource::Stage { stage, .. } if *stage == producer),
            )
        })
    };
    let needed: Vec<bool> = (0..pipeline.stages().len())
        .map(needed_by_a_running_stage)
        .collect();
    let clock = started.clock;
    let mut started = started.stages.into_iter();
    replays
        .into_iter()
        .zip(needed)
        .zip(pipeline.stages())
        .map(
            |((replay, needed), stage)| match (replay, started.next().flatten()) {
                (_, Some(running)) => StageWork::Run(Box::new(Launch::Started(running))),
                (None, None) => StageWork::Run(Box::new(Launch::Start {
                    handle: stage.plugin().handle,
                    params: stage.params().clone(),
                    inputs: stage.input_ports(),
                    outputs: stage.outputs().to_vec(),
                    clock,
                })),
                (Some(replay), None) if needed => StageWork::Replay(replay),
                (Some(_), None) => StageWork::Unneeded,
            },
        )
        .collect()
}

/// Every message of every receiver, in arrival order, until all are disconnected.
fn merged(mut receivers: Vec<Receiver<SinkMsg>>) -> impl Iterator<Item = SinkMsg> {
    std::iter::from_fn(move || loop {
        if receivers.is_empty() {
            return None;
        }
        let mut select = crossbeam_channel::Select::new();
        for receiver in &receivers {
            select.recv(receiver);
        }
        let ready = select.select();
        let index = ready.index();
        match ready.recv(&receivers[index]) {
            Ok(msg) => return Some(msg),
            Err(_) => {
                receivers.swap_remove(index);
            }
        }
    })
}
