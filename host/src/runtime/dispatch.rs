//! Hands what a stage emitted to the sink and to every downstream stage.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Sender, TrySendError};
use macroscope_plugin_api::{Emission, PluginKind, PortSpec};

use crate::item::{HostItem, SharedItem};

use super::stage_thread::StageInput;

/// A downstream stage's input channel and the input index the items arrive on.
pub(super) type Consumer = (Sender<StageInput>, u32);

/// A message to the sink thread.
pub(super) enum SinkMsg {
    Item {
        stage: usize,
        port: usize,
        item: SharedItem,
    },
    Dropped {
        stage: usize,
        port: usize,
        count: u64,
    },
}

/// Routes one stage's outputs.
pub(super) struct Dispatcher {
    stage: usize,
    outputs: Vec<PortSpec>,
    /// For each output port: the input channels of its consumers and their input index.
    consumers: Vec<Vec<Consumer>>,
    sink: Sender<SinkMsg>,
    /// Cameras must never wait for the disk: they drop (and count) instead.
    drop_when_full: bool,
    dropped: Vec<u64>,
    emitted: Arc<AtomicU64>,
}

impl Dispatcher {
    /// Routes the emissions of stage `stage` (whose output ports are
    /// `outputs`, and whose plugin is of `kind`).
    pub(super) fn new(
        (stage, outputs): (usize, Vec<PortSpec>),
        kind: PluginKind,
        consumers: Vec<Vec<Consumer>>,
        sink: Sender<SinkMsg>,
        emitted: Arc<AtomicU64>,
    ) -> Self {
        Dispatcher {
            stage,
            dropped: vec![0; outputs.len()],
            outputs,
            consumers,
            sink,
            drop_when_full: kind == PluginKind::CAMERA,
            emitted,
        }
    }

    /// Sends each emission (checked against its port by the contract) on.
    pub(super) fn dispatch(&mut self, emissions: impl IntoIterator<Item = Emission>) {
        for emission in emissions {
            let port = emission.port as usize;
            let item = self.item(emission);
            self.send_to_sink(port, &item);
            self.send_to_consumers(port, &item);
        }
    }

    /// Sends an item replayed from the store to the consumers only (the sink already has it).
    pub(super) fn forward(&mut self, port: usize, item: SharedItem) {
        self.emitted.fetch_add(1, Ordering::Relaxed);
        self.send_to_consumers(port, &item);
    }

    /// Items emitted (or replayed) so far.
    pub(super) fn emitted(&self) -> u64 {
        self.emitted.load(Ordering::Relaxed)
    }

    /// Tells the sink how many items were dropped and every consumer that the
    /// outputs ended; returns the number dropped.
    pub(super) fn close(self) -> u64 {
        for consumers in &self.consumers {
            for (consumer, _) in consumers {
                let _ = consumer.send(StageInput::End);
            }
        }
        for (port, &count) in self.dropped.iter().enumerate() {
            if count > 0 {
                let _ = self.sink.send(SinkMsg::Dropped {
                    stage: self.stage,
                    port,
                    count,
                });
            }
        }
        self.dropped.iter().sum()
    }

    /// The host's item for an emission the contract already checked against its port.
    fn item(&self, emission: Emission) -> SharedItem {
        self.emitted.fetch_add(1, Ordering::Relaxed);
        Arc::new(HostItem {
            data: emission.data,
            shape: self.outputs[emission.port as usize].shape.to_vec(),
            meta: emission.meta.into_vec(),
        })
    }

    fn send_to_sink(&mut self, port: usize, item: &SharedItem) {
        let msg = SinkMsg::Item {
            stage: self.stage,
            port,
            item: item.clone(),
        };
        if self.drop_when_full {
            if let Err(TrySendError::Full(_)) = self.sink.try_send(msg) {
                self.dropped[port] += 1;
            }
        } else {
            // An error means the sink has stopped; the run is already failing.
            let _ = self.sink.send(msg);
        }
    }

    fn send_to_consumers(&self, port: usize, item: &SharedItem) {
        for (consumer, input) in &self.consumers[port] {
            // A consumer that has stopped (failed) no longer needs items.
            let _ = consumer.send(StageInput::Item {
                input: *input,
                item: item.clone(),
            });
        }
    }
}
