//! Hands what a stage emitted to the sink and to every downstream stage.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Sender, TrySendError};
use macroscope_plugin_api::{Emission, PluginKind, PortSpec, DROPPED_BEFORE};

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
        /// Items of this port dropped since the last one the sink accepted,
        /// for the item's `dropped_before` column.
        dropped: u64,
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
    /// Per output port: items dropped.
    dropped: Vec<u64>,
    /// Per output port: dropped items no item's `dropped_before` counts yet
    /// (always all of them for a port without that column).
    uncounted: Vec<u64>,
    /// Per output port: whether it has a `dropped_before` column.
    counts_drops: Vec<bool>,
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
            uncounted: vec![0; outputs.len()],
            counts_drops: outputs
                .iter()
                .map(|p| p.column_index(DROPPED_BEFORE).is_some())
                .collect(),
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

    /// Tells the sink how many dropped items no stored item counts and every
    /// consumer that the outputs ended; returns the number dropped.
    pub(super) fn close(self) -> u64 {
        for consumers in &self.consumers {
            for (consumer, _) in consumers {
                let _ = consumer.send(StageInput::End);
            }
        }
        for (port, &count) in self.uncounted.iter().enumerate() {
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
        let carried = if self.counts_drops[port] {
            self.uncounted[port]
        } else {
            0
        };
        let msg = SinkMsg::Item {
            stage: self.stage,
            port,
            item: item.clone(),
            dropped: carried,
        };
        if self.drop_when_full {
            match self.sink.try_send(msg) {
                Err(TrySendError::Full(_)) => {
                    self.dropped[port] += 1;
                    self.uncounted[port] += 1;
                }
                _ => self.uncounted[port] -= carried,
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

#[cfg(test)]
mod tests {
    use crossbeam_channel::{bounded, Receiver};
    use macroscope_plugin_api::{ArrayData, ColumnSpec, ElementType, Scalar};

    use super::*;

    /// A camera's dispatcher whose sink queue holds one item, and that queue.
    fn camera(columns: &[&str]) -> (Dispatcher, Receiver<SinkMsg>) {
        let port = columns.iter().fold(
            PortSpec::stream("frames", ElementType::U16, &[1]),
            |port, name| port.with_column(ColumnSpec::new(name, ElementType::U64, "", "")),
        );
        let (sink, queue) = bounded(1);
        let emitted = Arc::new(AtomicU64::new(0));
        let dispatcher = Dispatcher::new(
            (0, vec![port]),
            PluginKind::CAMERA,
            vec![vec![]],
            sink,
            emitted,
        );
        (dispatcher, queue)
    }

    /// A frame the camera says it lost `lost` frames before.
    fn frame(lost: i64) -> Emission {
        Emission {
            port: 0,
            data: ArrayData::from_vec(vec![7u16]),
            meta: vec![Scalar::Int(lost)].into(),
        }
    }

    /// What the queue holds: for each item, the drops it carries; for a
    /// `Dropped` message, `-count`.
    fn drain(queue: &Receiver<SinkMsg>) -> Vec<i64> {
        queue
            .try_iter()
            .map(|msg| match msg {
                SinkMsg::Item { dropped, .. } => dropped as i64,
                SinkMsg::Dropped { count, .. } => -(count as i64),
            })
            .collect()
    }

    #[test]
    fn frames_dropped_while_the_sink_is_full_are_carried_by_the_next_frame_it_accepts() {
        let (mut dispatcher, queue) = camera(&["dropped_before"]);
        dispatcher.dispatch([frame(0), frame(0), frame(0)]);
        assert_eq!(drain(&queue), [0], "the queue held the first; two dropped");
        dispatcher.dispatch([frame(1)]);
        assert_eq!(drain(&queue), [2]);
        dispatcher.dispatch([frame(0)]);
        assert_eq!(drain(&queue), [0], "counted once");
    }

    #[test]
    fn frames_dropped_after_the_last_accepted_one_are_told_to_the_sink_at_the_end() {
        let (mut dispatcher, queue) = camera(&["dropped_before"]);
        dispatcher.dispatch([frame(0), frame(0), frame(0)]);
        assert_eq!(drain(&queue), [0]);
        assert_eq!(dispatcher.close(), 2, "the run's report counts every drop");
        assert_eq!(drain(&queue), [-2]);
    }

    #[test]
    fn a_camera_port_without_the_column_tells_the_sink_every_drop_at_the_end() {
        let (mut dispatcher, queue) = camera(&["frame_id"]);
        dispatcher.dispatch([frame(0), frame(0)]);
        assert_eq!(drain(&queue), [0]);
        dispatcher.dispatch([frame(0)]);
        assert_eq!(drain(&queue), [0], "carrying no count");
        assert_eq!(dispatcher.close(), 1);
        assert_eq!(drain(&queue), [-1]);
    }
}
