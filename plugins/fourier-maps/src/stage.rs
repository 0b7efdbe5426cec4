//! The running stage: places each frame in its sweep, batches it, and adds it to its direction's sums.

use std::collections::VecDeque;

use macroscope_plugin_api::{Item, Outputs, PluginError, Scalar};
use macroscope_schedule::Direction;

use crate::accumulator::{HarmonicSums, MAX_BATCH_FRAMES};
use crate::binning::Binning;
use crate::coverage::coverage_warning;
use crate::params::Params;
use crate::ports::{output, InputLayout, Pixel};
use crate::stimulus::SweepTiming;
use crate::timeline::{Placement, Timeline};

/// Frames summed together per direction before folding into the `f64` sums.
const BATCH_FRAMES: usize = 32;
const _: () = assert!(BATCH_FRAMES <= MAX_BATCH_FRAMES);

/// A frame that arrived before the schedule reached its time.
struct PendingFrame {
    time_s: f64,
    pixels: Vec<u16>,
}

/// Consecutive frames of one direction waiting to be summed.
struct FrameBatch {
    direction: usize,
    frames: Vec<Vec<u16>>,
    angles: Vec<f64>,
}

/// State of a running `fourier-maps` stage.
pub struct FourierStage {
    layout: InputLayout,
    timing: SweepTiming,
    /// Sweeps of each direction left out, counted from the first.
    skip_sweeps: u32,
    /// Seconds added to each frame's time (`clock_offset_s`).
    clock_offset_s: f64,
    /// How frames are binned before the sums; `None` for no binning (raw counts are summed).
    binning: Option<Binning>,
    /// Reused binned frames of one batch.
    binned: Vec<Vec<f32>>,
    timeline: Timeline,
    sums: Vec<HarmonicSums>,
    batch: Option<FrameBatch>,
    /// Reused frame buffers, so steady state allocates nothing.
    spare: Vec<Vec<u16>>,
    pending: VecDeque<PendingFrame>,
}

impl FourierStage {
    /// A stage with empty sums for every direction that leaves out the first
    /// `skip_sweeps` sweeps of each, bins frames by `bin_px` pixels per side
    /// and adds `clock_offset_s` to each frame's time (`params` validated:
    /// 1 ≤ `bin_px` ≤ the frame's sides).
    pub fn new(layout: InputLayout, timing: SweepTiming, params: &Params) -> Self {
        let bin_px = params.bin_px;
        let binning =
            (bin_px > 1).then(|| Binning::new(bin_px as usize, layout.height, layout.width));
        let pixels = binning.map_or(layout.pixels(), |b| b.pixels());
        let sums = timing
            .directions
            .iter()
            .map(|_| HarmonicSums::new(pixels))
            .collect();
        FourierStage {
            layout,
            timing,
            skip_sweeps: params.skip_sweeps,
            clock_offset_s: params.clock_offset_s,
            binning,
            binned: Vec::new(),
            timeline: Timeline::default(),
            sums,
            batch: None,
            spare: Vec::new(),
            pending: VecDeque::new(),
        }
    }

    /// Handles one item of input `input`.
    pub fn receive(&mut self, input: usize, item: Item<'_>) -> Result<(), PluginError> {
        if input == self.layout.schedule {
            self.receive_schedule_row(item)
        } else if input == self.layout.frames {
            self.receive_frame(item)
        } else {
            Err(PluginError::new(format!(
                "fourier-maps has no input {input}"
            )))
        }
    }

    fn receive_schedule_row(&mut self, item: Item<'_>) -> Result<(), PluginError> {
        let time_s = *item
            .data::<f64>()?
            .first()
            .ok_or_else(|| PluginError::new("schedule item holds no time value"))?;
        let meta = item.meta();
        let column = |i: usize, name: &str| {
            meta.get(i).map(|v| v.as_i64()).ok_or_else(|| {
                PluginError::new(format!("schedule row at {time_s} s has no `{name}` value"))
            })
        };
        let direction = column(self.layout.direction_column, "direction")? as i8;
        let sweep = column(self.layout.sweep_column, "sweep")? as i32;
        self.timeline
            .push_row(time_s, direction, sweep)
            .map_err(|e| PluginError::new(e.to_string()))?;
        self.place_pending(|timeline, t| timeline.place(t))
    }

    fn receive_frame(&mut self, item: Item<'_>) -> Result<(), PluginError> {
        match self.layout.pixel {
            Pixel::U16 => self.receive_pixels(item.data::<u16>()?, item.meta()),
            Pixel::U8 => {
                let mut widened = self.spare.pop().unwrap_or_default();
                widened.clear();
                widened.extend(item.data::<u8>()?.iter().map(|&v| u16::from(v)));
                let received = self.receive_pixels(&widened, item.meta());
                self.spare.push(widened);
                received
            }
        }
    }

    /// Places one frame's pixels (with its metadata row `meta`) or keeps
    /// them until the schedule reaches its time.
    fn receive_pixels(&mut self, pixels: &[u16], meta: &[Scalar]) -> Result<(), PluginError> {
        if pixels.len() != self.layout.pixels() {
            return Err(PluginError::new(format!(
                "frame has {} pixels, the frames port declared {}×{}",
                pixels.len(),
                self.layout.height,
                self.layout.width
            )));
        }
        let time_s = self
            .layout
            .clock
            .seconds(meta)
            .map(|t| t + self.clock_offset_s)
            .filter(|t| t.is_finite())
            .ok_or_else(|| PluginError::new("frame has no finite time value"))?;
        match self.timeline.place(time_s) {
            Placement::Pending => {
                let mut copy = self.spare.pop().unwrap_or_default();
                copy.clear();
                copy.extend_from_slice(pixels);
                self.pending.push_back(PendingFrame {
                    time_s,
                    pixels: copy,
                });
                Ok(())
            }
            placement => self.add(placement, pixels),
        }
    }

    /// Adds every pending frame the timeline can now place.
    fn place_pending(
        &mut self,
        place: impl Fn(&Timeline, f64) -> Placement,
    ) -> Result<(), PluginError> {
        let mut still_pending = VecDeque::new();
        while let Some(frame) = self.pending.pop_front() {
            match place(&self.timeline, frame.time_s) {
                Placement::Pending => still_pending.push_back(frame),
                placement => {
                    self.add(placement, &frame.pixels)?;
                    self.spare.push(frame.pixels);
                }
            }
        }
        self.pending = still_pending;
        Ok(())
    }

    fn add(&mut self, placement: Placement, pixels: &[u16]) -> Result<(), PluginError> {
        let Placement::Sweep {
            direction,
            sweep,
            into_sweep_s,
        } = placement
        else {
            return Ok(());
        };
        if i64::from(sweep) < i64::from(self.skip_sweeps) {
            return Ok(());
        }
        let index = Direction::from_code(direction.into())
            .and_then(|d| self.timing.directions.iter().position(|&listed| listed == d))
            .ok_or_else(|| {
                PluginError::new(format!(
                    "schedule has direction code {direction}, which its `directions` attribute does not list"
                ))
            })?;
        let angle = self.timing.omega(self.timing.directions[index]) * into_sweep_s;
        if self
            .batch
            .as_ref()
            .is_some_and(|b| b.direction != index || b.frames.len() == BATCH_FRAMES)
        {
            self.flush();
        }
        let mut copy = self.spare.pop().unwrap_or_default();
        copy.clear();
        copy.extend_from_slice(pixels);
        let batch = self.batch.get_or_insert_with(|| FrameBatch {
            direction: index,
            frames: Vec::with_capacity(BATCH_FRAMES),
            angles: Vec::with_capacity(BATCH_FRAMES),
        });
        batch.frames.push(copy);
        batch.angles.push(angle);
        Ok(())
    }

    fn flush(&mut self) {
        if let Some(mut batch) = self.batch.take() {
            let sums = &mut self.sums[batch.direction];
            match &self.binning {
                None => {
                    let refs: Vec<&[u16]> = batch.frames.iter().map(Vec::as_slice).collect();
                    sums.add_batch(&refs, &batch.angles);
                }
                Some(binning) => {
                    self.binned.resize_with(batch.frames.len(), Vec::new);
                    for (frame, binned) in batch.frames.iter().zip(&mut self.binned) {
                        binning.bin_frame(frame, binned);
                    }
                    let refs: Vec<&[f32]> = self.binned[..batch.frames.len()]
                        .iter()
                        .map(Vec::as_slice)
                        .collect();
                    sums.add_batch(&refs, &batch.angles);
                }
            }
            self.spare.append(&mut batch.frames);
        }
    }

    /// Places the frames still waiting, then emits `phase`, `magnitude` and
    /// `mean_frame`, warning when some directions got no frames.
    pub fn finish(&mut self, out: &mut Outputs) -> Result<(), PluginError> {
        let period = self.timing.display_period_s;
        self.place_pending(|timeline, t| timeline.place_after_end(t, period))?;
        self.flush();

        let pixels = self.sums.first().map_or(0, HarmonicSums::pixels);
        let directions = self.sums.len();
        let mut phase = Vec::with_capacity(directions * pixels);
        let mut magnitude = Vec::with_capacity(directions * pixels);
        let mut total = vec![0.0; pixels];
        let mut frames = 0;
        for sums in &self.sums {
            let harmonic = sums.harmonic();
            phase.extend_from_slice(&harmonic.phase);
            magnitude.extend_from_slice(&harmonic.magnitude);
            for (t, s) in total.iter_mut().zip(sums.sum()) {
                *t += s;
            }
            frames += sums.frames();
        }
        let mean_frame: Vec<f64> = total
            .iter()
            .map(|&s| {
                if frames > 0 {
                    s / frames as f64
                } else {
                    f64::NAN
                }
            })
            .collect();
        out.emit(output::PHASE, phase, &[]);
        out.emit(output::MAGNITUDE, magnitude, &[]);
        out.emit(output::MEAN_FRAME, mean_frame, &[]);
        let per_direction: Vec<u64> = self.sums.iter().map(HarmonicSums::frames).collect();
        if let Some(warning) = coverage_warning(&self.timing.directions, &per_direction) {
            out.warn(warning);
        }
        Ok(())
    }
}
