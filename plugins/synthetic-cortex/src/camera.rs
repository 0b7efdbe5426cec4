//! The running camera: reads schedule rows, exposes frames as the stimulus
//! clock passes their times, and hands over the truth at the end.

use macroscope_plugin_api::{Item, Outputs, Scalar};

use crate::baseline::{baseline_image, BaselineSpec};
use crate::error::CortexError;
use crate::exposure_clock::{Exposure, ExposureClock};
use crate::noise::NoiseModel;
use crate::params::Params;
use crate::ports;
use crate::response::{response_sigma_deg, Cortex, Drive};
use crate::retinotopy_model::{FieldRanges, TrueRetinotopy};
use crate::schedule::{seconds_to_ns, ScheduleInput, StimulusHistory};

/// The most schedule rows the stimulus history reserves room for up front
/// (a minute at 1 kHz); past that it grows as rows arrive.
const MAX_HISTORY_HINT: usize = 60_000;

/// State of a configured `synthetic-cortex` stage.
#[derive(Debug)]
pub struct Camera {
    schedule: ScheduleInput,
    cortex: Cortex,
    truth: TrueRetinotopy,
    noise: NoiseModel,
    clock: ExposureClock,
    history: StimulusHistory,
    delay_ns: i64,
    rows_received: u64,
    frame_len: usize,
}

impl Camera {
    /// Builds the hidden cortex for validated `params`.
    pub fn new(params: &Params, schedule: ScheduleInput) -> Self {
        let (width, height) = (params.width_px as usize, params.height_px as usize);
        let ranges = FieldRanges {
            azimuth_deg: params.azimuth_range_deg,
            altitude_deg: params.altitude_range_deg,
        };
        let truth = TrueRetinotopy::sample(width, height, ranges);
        let baseline = baseline_image(
            width,
            height,
            BaselineSpec {
                counts: params.baseline_counts,
                vignetting: params.vignetting,
                vessel_count: params.vessel_count,
                vessel_contrast: params.vessel_contrast,
                seed: params.seed,
            },
        );
        let cortex = Cortex::new(
            width,
            baseline,
            truth.azimuth_deg.clone(),
            truth.altitude_deg.clone(),
            params.response_amplitude,
            Self::response_sigma_deg(params, &schedule),
        );
        // A hint only, capped: the rate comes from the input's attributes, and
        // an absurd one (1e12 Hz) must not ask for terabytes up front; the
        // history grows as the rows arrive.
        let history_rows = (((params.hemodynamic_delay_s + 2.0 / params.frame_rate_hz)
            * schedule.display_rate_hz) as usize)
            .saturating_add(4)
            .min(MAX_HISTORY_HINT);
        Camera {
            cortex,
            truth,
            noise: NoiseModel::new(
                params.seed,
                params.shot_noise,
                params.electrons_per_count,
                params.read_noise_counts,
            ),
            clock: ExposureClock::new(params.frame_rate_hz, params.timestamp_jitter_s, params.seed),
            history: StimulusHistory::with_capacity(history_rows),
            delay_ns: seconds_to_ns(params.hemodynamic_delay_s),
            rows_received: 0,
            frame_len: params.pixel_count(),
            schedule,
        }
    }

    /// Width σ (degrees) of every pixel's response to the schedule's bar.
    pub fn response_sigma_deg(params: &Params, schedule: &ScheduleInput) -> f64 {
        response_sigma_deg(params.receptive_field_sigma_deg, schedule.bar_width_deg)
    }

    /// Takes one schedule row and emits every frame whose exposure the
    /// stimulus clock has now reached (both its nominal and actual time).
    pub fn receive(&mut self, item: Item<'_>, out: &mut Outputs) -> Result<(), CortexError> {
        let row = self.schedule.row(self.rows_received, item)?;
        self.rows_received += 1;
        self.history.push(row)?;
        self.clock.start_at(row.time_ns);
        while let Some(exposure) = self.clock.next() {
            if row.time_ns < exposure.time_ns.max(exposure.nominal_ns) {
                break;
            }
            self.expose(exposure, out);
            self.clock.advance();
        }
        if let Some(next) = self.clock.next() {
            self.history.forget_before(next.time_ns - self.delay_ns);
        }
        Ok(())
    }

    /// Emits the frames whose nominal time is at or before the last schedule
    /// row, then the truth datasets.
    pub fn finish(&mut self, out: &mut Outputs) {
        if let Some(last_ns) = self.history.last().map(|row| row.time_ns) {
            while let Some(exposure) = self.clock.next().filter(|e| e.nominal_ns <= last_ns) {
                self.expose(exposure, out);
                self.clock.advance();
            }
        }
        let truth = std::mem::take(&mut self.truth);
        out.emit(ports::TRUE_AZIMUTH, truth.azimuth_deg, &[]);
        out.emit(ports::TRUE_ALTITUDE, truth.altitude_deg, &[]);
        out.emit(ports::TRUE_SIGN, truth.sign, &[]);
        out.emit(ports::TRUE_AREAS, truth.areas, &[]);
        out.emit(ports::BASELINE, self.cortex.baseline().to_vec(), &[]);
    }

    /// Renders and emits one frame: the response to the stimulus shown one
    /// hemodynamic delay before the exposure, labelled with the stimulus shown at it.
    fn expose(&self, exposure: Exposure, out: &mut Outputs) {
        let shown = self.history.on_screen_at(exposure.time_ns);
        let drive = self
            .history
            .on_screen_at(exposure.time_ns - self.delay_ns)
            .map_or(Drive::Rest, |row| row.drive());
        let mut frame = vec![0u16; self.frame_len];
        self.cortex
            .render(drive, &self.noise, exposure.frame_id, &mut frame);
        let meta = [
            Scalar::Int(exposure.frame_id as i64),
            Scalar::Int(exposure.time_ns),
            Scalar::Float(exposure.time_ns as f64 / 1e9),
            Scalar::Int(shown.map_or(-1, |r| i64::from(r.direction))),
            Scalar::Int(shown.map_or(-1, |r| i64::from(r.sweep))),
            Scalar::Float(shown.map_or(f64::NAN, |r| r.bar_centre_deg)),
        ];
        out.emit(ports::FRAMES, frame, &meta);
    }
}

#[cfg(test)]
mod tests {
    use macroscope_plugin_api::abi_stable::std_types::RSlice;
    use macroscope_plugin_api::{ElementType, InputPort, ItemRef};
    use macroscope_schedule::{Direction, PerAxis, PerDirection, ScheduleAttributes, SchedulePort};

    use super::*;

    fn schedule_port() -> InputPort {
        schedule_port_at(60.0)
    }

    fn schedule_port_at(display_rate_hz: f64) -> InputPort {
        let spec = SchedulePort::new(ScheduleAttributes {
            directions: vec![Direction::LR],
            display_rate_hz,
            sweep_duration_s: PerAxis {
                azimuth: Some(100.0),
                altitude: None,
            },
            bar_start_deg: PerDirection {
                lr: Some(0.0),
                ..PerDirection::default()
            },
            travel_deg: PerAxis {
                azimuth: Some(600.0),
                altitude: None,
            },
            bar_width_deg: Some(20.0),
        })
        .spec();
        InputPort {
            source: "stimulus.schedule".into(),
            spec,
        }
    }

    #[test]
    fn the_history_holds_only_one_delay_and_a_frame_of_rows() {
        let params = Params {
            width_px: 16,
            height_px: 16,
            hemodynamic_delay_s: 2.5,
            ..Params::default()
        };
        let mut camera = Camera::new(
            &params,
            ScheduleInput::from_inputs(&[schedule_port()]).unwrap(),
        );
        let mut out = Outputs::default();
        let mut most = 0;
        for frame_index in 0..6000i64 {
            let time = [frame_index as f64 / 60.0];
            let meta = [
                Scalar::Int(frame_index),
                Scalar::Int(0),
                Scalar::Int(0),
                Scalar::Float(frame_index as f64 * 0.1),
            ];
            let item = ItemRef {
                element: ElementType::F64,
                shape: RSlice::from_slice(&[]),
                bytes: RSlice::from_slice(bytemuck::cast_slice(&time)),
                meta: RSlice::from_slice(&meta),
            };
            camera.receive(Item::new(item), &mut out).unwrap();
            out.take();
            most = most.max(camera.history.len());
        }
        // Rows from (next exposure − 2.5 s) up to now: at most (2.5 s + 0.1 s) × 60 + 1.
        assert!(most <= 157, "held {most} rows");
        assert!(most >= 150);
    }

    #[test]
    fn an_absurd_display_rate_does_not_reserve_terabytes_up_front() {
        let params = Params {
            width_px: 16,
            height_px: 16,
            ..Params::default()
        };
        // 1e12 Hz over a 1.5 s delay asked for 54 TB here and aborted the process.
        let camera = Camera::new(
            &params,
            ScheduleInput::from_inputs(&[schedule_port_at(1e12)]).unwrap(),
        );
        assert!(camera.history.capacity() <= 2 * MAX_HISTORY_HINT);
    }
}
