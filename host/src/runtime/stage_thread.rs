//! The loop each stage runs on its own thread.

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use macroscope_plugin_api::{
    InputPort, PluginError, PluginHandle, PortSpec, RunClock, RunningStage,
};

use crate::item::SharedItem;
use crate::pipeline::Pipeline;
use crate::store::Replay;

use super::dispatch::Dispatcher;
use super::stop::{FirstFailure, StopSignal};
use super::{RunError, StageReport};

/// What arrives on a stage's (merged) input channel.
pub(super) enum StageInput {
    /// One item on input `input`.
    Item { input: u32, item: SharedItem },
    /// One input has no more items.
    End,
}

/// How a stage that runs gets its running instance.
pub(super) enum Launch {
    /// Started before the sink existed (a device: see [`super::start_devices`]).
    Started(RunningStage),
    /// Started on the stage's own thread.
    Start {
        handle: PluginHandle,
        params: serde_json::Value,
        inputs: Vec<InputPort>,
        outputs: Vec<PortSpec>,
        clock: RunClock,
    },
}

impl Launch {
    fn start(self) -> Result<RunningStage, PluginError> {
        match self {
            Launch::Started(running) => Ok(running),
            Launch::Start {
                handle,
                params,
                inputs,
                outputs,
                clock,
            } => handle.start(&params, &inputs, outputs, clock),
        }
    }
}

/// What a stage thread does.
pub(super) enum StageWork {
    /// Run the plugin.
    Run(Box<Launch>),
    /// The outputs are in the store: replay them to the stages that still run.
    Replay(Replay),
    /// The outputs are in the store and no running stage needs them.
    Unneeded,
}

/// Everything one stage thread needs.
pub(super) struct StageTask {
    pub(super) id: String,
    pub(super) plugin: String,
    pub(super) work: StageWork,
    pub(super) inputs: Receiver<StageInput>,
    pub(super) open_inputs: usize,
    pub(super) dispatcher: Dispatcher,
    pub(super) stop: StopSignal,
    pub(super) failure: Arc<FirstFailure>,
}

/// How often a waiting stage looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(100);

impl StageTask {
    /// Runs the stage to its end, a failure, or a stop request.
    pub(super) fn run(mut self) -> StageReport {
        let work = std::mem::replace(&mut self.work, StageWork::Unneeded);
        let reused = !matches!(work, StageWork::Run(_));
        let mut warnings = Vec::new();
        let result = match work {
            StageWork::Replay(replay) => self.replay_outputs(replay),
            StageWork::Unneeded => {
                tracing::info!(
                    "stage `{}`: outputs reused from the store; no running stage needs them",
                    self.id
                );
                Ok(())
            }
            StageWork::Run(launch) => match launch.start() {
                Ok(mut instance) => {
                    let result = if self.open_inputs == 0 {
                        self.run_source(&mut instance)
                    } else {
                        self.run_consumer(&mut instance)
                    };
                    // Taken whatever the outcome: a failed run keeps them too.
                    warnings = instance.warnings().to_vec();
                    result
                }
                Err(error) => Err(error),
            },
        };
        if let Err(error) = result {
            self.stop.request_failure();
            self.failure.record(RunError::Stage {
                stage: self.id.clone(),
                plugin: self.plugin.clone(),
                message: error.message().to_owned(),
            });
        }
        let items = self.dispatcher_emitted();
        let dropped = self.dispatcher.close();
        if dropped > 0 {
            warnings.push(drops_warning(dropped, items));
        }
        StageReport {
            stage: self.id,
            plugin: self.plugin,
            items,
            dropped,
            reused,
            warnings,
        }
    }

    fn dispatcher_emitted(&self) -> u64 {
        self.dispatcher.emitted()
    }

    fn replay_outputs(&mut self, replay: Replay) -> Result<(), PluginError> {
        tracing::info!(
            "stage `{}`: outputs reused from the store (identical parameters)",
            self.id
        );
        for entry in replay {
            if self.stop.is_stopping() {
                return Ok(());
            }
            let (port, item) =
                entry.map_err(|e| PluginError::new(format!("replaying stored outputs: {e}")))?;
            self.dispatcher.forward(port, item);
        }
        Ok(())
    }

    fn run_source(&mut self, instance: &mut RunningStage) -> Result<(), PluginError> {
        while !self.stop.is_stopping() {
            let (emissions, finished) = instance.poll()?;
            self.dispatcher.dispatch(emissions);
            if finished {
                self.dispatcher.dispatch(instance.finish()?);
                return Ok(());
            }
        }
        Ok(())
    }

    fn run_consumer(&mut self, instance: &mut RunningStage) -> Result<(), PluginError> {
        let mut open = self.open_inputs;
        while open > 0 {
            if self.stop.is_stopping() {
                return Ok(());
            }
            match self.inputs.recv_timeout(STOP_POLL) {
                Ok(StageInput::Item { input, item }) => {
                    let emissions = instance.receive(input as usize, item.view())?;
                    self.dispatcher.dispatch(emissions);
                }
                Ok(StageInput::End) => open -= 1,
                Err(RecvTimeoutError::Timeout) => {}
                // Every upstream is gone without saying End: it failed, and the run is stopping.
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        self.dispatcher.dispatch(instance.finish()?);
        Ok(())
    }
}

/// Starts one thread per `file:` input, replaying a dataset of an earlier file
/// into the consuming stage's input channel.
pub(super) fn spawn_file_feeds(
    feeds: Vec<(usize, u32, PathBuf, String, Sender<StageInput>)>,
    pipeline: &Pipeline,
    stop: &StopSignal,
    failure: &Arc<FirstFailure>,
) -> Vec<JoinHandle<()>> {
    feeds
        .into_iter()
        .map(|(stage, input, path, dataset, consumer)| {
            let id = pipeline.stages()[stage].id().to_owned();
            let stop = stop.clone();
            let failure = failure.clone();
            thread::spawn(move || {
                let source = format!("file:{}#{dataset}", path.display());
                let result = crate::store::replay_dataset(&path, &dataset).and_then(|replay| {
                    for entry in replay {
                        if stop.is_stopping() {
                            break;
                        }
                        let (_, item) = entry?;
                        if consumer.send(StageInput::Item { input, item }).is_err() {
                            break;
                        }
                    }
                    Ok(())
                });
                if let Err(err) = result {
                    stop.request_failure();
                    failure.record(RunError::Stage {
                        stage: id,
                        plugin: source,
                        message: format!("reading recorded input: {err}"),
                    });
                }
                let _ = consumer.send(StageInput::End);
            })
        })
        .collect()
}

/// What the run says of a stage whose items the sink had no room for.
fn drops_warning(dropped: u64, emitted: u64) -> String {
    format!(
        "{dropped} of its {emitted} items were dropped because the disk writer fell behind (its queue was full); \
         each stored frame's `dropped_before` counts those lost just before it: lower the frame rate or size, \
         raise `--queue-depth`, or record to a faster disk"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_drops_warning_says_how_many_of_how_many_and_what_to_do() {
        assert_eq!(
            super::drops_warning(12, 3000),
            "12 of its 3000 items were dropped because the disk writer fell behind (its queue was full); each \
             stored frame's `dropped_before` counts those lost just before it: lower the frame rate or size, raise \
             `--queue-depth`, or record to a faster disk"
        );
    }
}
