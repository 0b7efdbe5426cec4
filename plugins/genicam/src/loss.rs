//! Counting lost frames: gaps in the camera's block ids, and frames that
//! arrived incomplete.
//!
//! GigE Vision 1.x block ids are 16-bit and skip 0: they run 1, 2, …, 65535,
//! 1, … (Aravis's fake camera starts near 65000 to show wrap-around bugs
//! early). GigE Vision 2 extended ids and USB3 Vision ids are 64-bit. Stored
//! frame ids are unwrapped so that they always increase by one per frame the
//! camera sent.

/// The last 16-bit block id before the counter wraps to 1.
const LAST_SHORT_ID: u64 = 0xFFFF;

/// Follows the block ids of successive delivered frames, in the order Aravis
/// hands buffers out (the order the camera sent them).
///
/// The recording starts at the first complete frame: a frame that comes back
/// incomplete before it (the receiver still coming up as the camera starts
/// sending: seen now and then with the fake camera on a busy machine) is not
/// counted as lost, as it lies before the recording. From
/// then on ids show every loss: an incomplete frame newer than the last
/// delivered one falls in the next gap, an older one (Aravis gives up on a
/// frame only after waiting for resent packets) in a gap already counted.
#[derive(Debug, Default)]
pub struct LossCounter {
    /// The previous delivered frame: (raw block id, unwrapped id).
    last: Option<(u64, u64)>,
    /// Buffers that came back incomplete since the previous delivered frame.
    incomplete_since: u64,
}

/// What the loss counter says about one delivered frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// The block id, unwrapped past 16-bit wrap-around.
    pub frame_id: u64,
    /// Frames lost since the previous delivered frame (0 for the first: the
    /// recording starts there).
    pub dropped_before: u64,
}

impl LossCounter {
    /// Records a buffer that came back incomplete (missing packets, timeout,
    /// wrong size). Its frame is lost, and counted by the gap in ids it leaves.
    pub fn fail(&mut self) {
        self.incomplete_since += 1;
    }

    /// Incomplete buffers since the last complete frame.
    pub fn incomplete_since(&self) -> u64 {
        self.incomplete_since
    }

    /// Records a complete frame with block id `raw`.
    pub fn deliver(&mut self, raw: u64) -> Delivered {
        self.incomplete_since = 0;
        let (frame_id, dropped_before) = match self.last {
            None => (raw, 0),
            Some((last_raw, last_id)) => {
                let step = id_step(last_raw, raw);
                (last_id + step, step - 1)
            }
        };
        self.last = Some((raw, frame_id));
        Delivered {
            frame_id,
            dropped_before,
        }
    }
}

/// How many ids the camera advanced from `last` to `next`: 1 when nothing was lost.
fn id_step(last: u64, next: u64) -> u64 {
    let short = last <= LAST_SHORT_ID && next <= LAST_SHORT_ID;
    match (short, next > last) {
        (_, true) => next - last,
        // 16-bit ids wrapped: 65535 is followed by 1. An id that did not
        // advance at all means a whole cycle passed.
        (true, false) => next + LAST_SHORT_ID - last,
        // A 64-bit counter never wraps: the camera restarted its count.
        (false, false) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deliver_all(ids: &[u64]) -> Vec<Delivered> {
        let mut counter = LossCounter::default();
        ids.iter().map(|&id| counter.deliver(id)).collect()
    }

    fn frame_ids(delivered: &[Delivered]) -> Vec<u64> {
        delivered.iter().map(|d| d.frame_id).collect()
    }

    fn drops(delivered: &[Delivered]) -> Vec<u64> {
        delivered.iter().map(|d| d.dropped_before).collect()
    }

    #[test]
    fn consecutive_ids_lose_nothing() {
        let delivered = deliver_all(&[65000, 65001, 65002]);
        assert_eq!(frame_ids(&delivered), [65000, 65001, 65002]);
        assert_eq!(drops(&delivered), [0, 0, 0]);
    }

    #[test]
    fn a_gap_counts_the_missing_ids() {
        let delivered = deliver_all(&[10, 11, 14, 15]);
        assert_eq!(drops(&delivered), [0, 0, 2, 0]);
    }

    #[test]
    fn sixteen_bit_ids_wrap_from_65535_to_1_without_loss() {
        let delivered = deliver_all(&[65534, 65535, 1, 2]);
        assert_eq!(frame_ids(&delivered), [65534, 65535, 65536, 65537]);
        assert_eq!(drops(&delivered), [0, 0, 0, 0]);
    }

    #[test]
    fn a_gap_across_the_wrap_is_counted() {
        let delivered = deliver_all(&[65534, 2]);
        assert_eq!(frame_ids(&delivered), [65534, 65537]);
        assert_eq!(drops(&delivered), [0, 2]);
    }

    #[test]
    fn sixty_four_bit_ids_are_kept_as_they_are() {
        let delivered = deliver_all(&[70_000, 70_001, 70_005]);
        assert_eq!(frame_ids(&delivered), [70_000, 70_001, 70_005]);
        assert_eq!(drops(&delivered), [0, 0, 3]);
    }

    #[test]
    fn frames_incomplete_before_the_first_complete_one_are_before_the_recording() {
        let mut counter = LossCounter::default();
        counter.fail();
        counter.fail();
        assert_eq!(counter.incomplete_since(), 2);
        assert_eq!(counter.deliver(7).dropped_before, 0);
        assert_eq!(counter.incomplete_since(), 0);
        assert_eq!(counter.deliver(8).dropped_before, 0);
    }

    #[test]
    fn a_failed_frame_inside_a_gap_is_not_counted_twice() {
        let mut counter = LossCounter::default();
        counter.deliver(7);
        counter.fail();
        assert_eq!(counter.deliver(9).dropped_before, 1);
    }

    #[test]
    fn a_late_failure_of_a_frame_already_in_a_gap_is_not_counted_again() {
        let mut counter = LossCounter::default();
        counter.deliver(7);
        assert_eq!(counter.deliver(10).dropped_before, 2);
        counter.fail();
        assert_eq!(counter.deliver(11).dropped_before, 0);
    }
}
