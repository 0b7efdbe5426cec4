//! The camera's clock mapped onto the run clock (docs/science.md §1).
//!
//! A camera timestamps each frame on its own oscillator: an arbitrary zero,
//! and a rate a few parts per million off the host's. The host's completion
//! time of each frame is on the run clock but late by a variable latency
//! (the network, the receiver thread, the stage's polling). A straight line
//! fitted by least squares, host ≈ offset + rate_ratio · camera, keeps the
//! camera's precise spacing of frames and the host's zero; its residuals say
//! how well the two clocks agree.
//!
//! The fit is updated with every frame (running sums, centred on the first
//! frame so that nanosecond timestamps of 1e18 keep their precision in f64),
//! so each frame's time is known when it is emitted. Until the camera's
//! timestamps span [`MIN_SPAN_NS`] the slope of so few, so close points is
//! mostly latency noise: the rate ratio is then taken as exactly 1 and only
//! the offset is fitted.

use macroscope_plugin_api::RunClock;

/// The camera timestamps must span this long before the rate ratio is fitted.
pub const MIN_SPAN_NS: f64 = 1e9;

/// The running least-squares fit of host time against camera time.
#[derive(Debug, Default)]
pub struct ClockFit {
    /// The first frame's (camera ns, host monotonic ns): every sum is centred on it.
    reference: Option<(u64, i64)>,
    frames: u64,
    mean_x: f64,
    mean_y: f64,
    /// Σ(x − x̄)² and Σ(x − x̄)(y − ȳ), updated as Welford does.
    sxx: f64,
    sxy: f64,
    /// Every frame's centred (camera, host) ns, for the residuals at the end.
    points: Vec<(f64, f64)>,
}

/// One frame's place on the run clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Seconds on the run clock, from the fit including this frame.
    pub time_s: f64,
    /// Host completion time minus the fitted time, in ns (latency and jitter).
    pub residual_ns: f64,
}

/// The fit over every frame of the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Host ns per camera ns (1 when the camera's clock runs at the host's rate).
    pub rate_ratio: f64,
    /// `run-clock ns = offset_ns + rate_ratio · camera_timestamp_ns`.
    pub offset_ns: f64,
    /// Root mean square of the residuals (host − fitted), in ns.
    pub residual_rms_ns: f64,
    /// Largest absolute residual, in ns.
    pub residual_max_ns: f64,
    /// Frames fitted.
    pub frames: u64,
}

impl Summary {
    /// The values of the `clock_fit` dataset, in [`crate::ports::CLOCK_FIT_FIELDS`] order.
    pub fn values(&self) -> Vec<f64> {
        vec![
            self.rate_ratio,
            self.offset_ns,
            self.residual_rms_ns,
            self.residual_max_ns,
            self.frames as f64,
        ]
    }
}

impl ClockFit {
    /// Adds a frame taken at `host_ns` (monotonic) with camera timestamp
    /// `camera_ns`, and places it on `clock`.
    pub fn place(&mut self, camera_ns: u64, host_ns: i64, clock: RunClock) -> Placed {
        let (camera_0, host_0) = *self.reference.get_or_insert((camera_ns, host_ns));
        let x = camera_ns.wrapping_sub(camera_0) as i64 as f64;
        let y = (host_ns - host_0) as f64;
        self.frames += 1;
        let n = self.frames as f64;
        let dx = x - self.mean_x;
        self.mean_x += dx / n;
        self.mean_y += (y - self.mean_y) / n;
        self.sxx += dx * (x - self.mean_x);
        self.sxy += dx * (y - self.mean_y);
        self.points.push((x, y));
        let fitted = self.fitted(x);
        Placed {
            time_s: clock.seconds_at(host_0) + fitted * 1e-9,
            residual_ns: y - fitted,
        }
    }

    /// Host ns past the first frame's at centred camera time `x`.
    fn fitted(&self, x: f64) -> f64 {
        self.mean_y + self.rate_ratio() * (x - self.mean_x)
    }

    /// The fitted slope, or 1 while the camera's timestamps span too little.
    fn rate_ratio(&self) -> f64 {
        let span = self.points.first().zip(self.points.last());
        match span {
            Some((first, last)) if (last.0 - first.0).abs() >= MIN_SPAN_NS && self.sxx > 0.0 => {
                self.sxy / self.sxx
            }
            _ => 1.0,
        }
    }

    /// The fit over every frame so far, with its residuals; `None` before any frame.
    pub fn summary(&self, clock: RunClock) -> Option<Summary> {
        let (camera_0, host_0) = self.reference?;
        let rate_ratio = self.rate_ratio();
        let (mut squares, mut max) = (0.0, 0.0f64);
        for &(x, y) in &self.points {
            let residual = y - self.fitted(x);
            squares += residual * residual;
            max = max.max(residual.abs());
        }
        // Run-clock ns of the first frame's fitted time, minus the slope times its camera ns.
        let run_ns_at_first = (host_0 - clock.origin_ns()) as f64 + self.fitted(0.0);
        Some(Summary {
            rate_ratio,
            offset_ns: run_ns_at_first - rate_ratio * camera_0 as f64,
            residual_rms_ns: (squares / self.points.len() as f64).sqrt(),
            residual_max_ns: max,
            frames: self.frames,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: i64 = 5_000_000_000;

    fn clock() -> RunClock {
        RunClock::from_origin_ns(ORIGIN)
    }

    /// Frames every 40 ms of a camera whose clock starts at 1e18 ns and runs
    /// `ppm` parts per million fast, completing on the host `latency(k)` ns
    /// after they were taken, the first at run-clock 2 s.
    fn frames(count: u64, ppm: f64, latency: impl Fn(u64) -> i64) -> Vec<(u64, i64)> {
        (0..count)
            .map(|k| {
                let host_true = ORIGIN + 2_000_000_000 + k as i64 * 40_000_000;
                let camera =
                    1_000_000_000_000_000_000 + (k as f64 * 40e6 * (1.0 + ppm * 1e-6)) as u64;
                (camera, host_true + latency(k))
            })
            .collect()
    }

    #[test]
    fn the_first_frame_is_at_its_host_time_on_the_run_clock() {
        let mut fit = ClockFit::default();
        let placed = fit.place(123_456, ORIGIN + 1_500_000_000, clock());
        assert_eq!(
            placed,
            Placed {
                time_s: 1.5,
                residual_ns: 0.0
            }
        );
    }

    #[test]
    fn a_camera_clock_running_fast_is_mapped_onto_host_time() {
        let mut fit = ClockFit::default();
        let mut last = None;
        for (camera, host) in frames(250, 100.0, |_| 0) {
            last = Some(fit.place(camera, host, clock()));
        }
        let summary = fit.summary(clock()).unwrap();
        assert!(
            (summary.rate_ratio - 1.0 / 1.0001).abs() < 1e-9,
            "{summary:?}"
        );
        assert!(summary.residual_max_ns < 1e3, "{summary:?}");
        // The 250th frame was taken at 2 + 249 × 0.04 s.
        assert!((last.unwrap().time_s - 11.96).abs() < 1e-6, "{last:?}");
    }

    #[test]
    fn latency_jitter_averages_out_and_shows_in_the_residuals() {
        let mut fit = ClockFit::default();
        let jitter = |k: u64| {
            1_000_000
                + if k.is_multiple_of(2) {
                    300_000
                } else {
                    -300_000
                }
        };
        let placed: Vec<Placed> = frames(500, 0.0, jitter)
            .into_iter()
            .map(|(camera, host)| fit.place(camera, host, clock()))
            .collect();
        let summary = fit.summary(clock()).unwrap();
        assert!(
            (summary.residual_rms_ns - 300_000.0).abs() < 1e3,
            "{summary:?}"
        );
        assert!(
            (summary.residual_max_ns - 300_000.0).abs() < 1e4,
            "{summary:?}"
        );
        // Times keep the camera's even spacing: a constant 1 ms latency, no jitter.
        let last = placed.last().unwrap().time_s;
        assert!((last - (2.0 + 499.0 * 0.04 + 0.001)).abs() < 2e-5, "{last}");
    }

    #[test]
    fn a_few_close_frames_keep_the_nominal_rate() {
        let mut fit = ClockFit::default();
        let late_second = |k: u64| if k == 1 { 15_000_000 } else { 0 };
        for (camera, host) in frames(3, 0.0, late_second) {
            fit.place(camera, host, clock());
        }
        assert_eq!(fit.summary(clock()).unwrap().rate_ratio, 1.0);
    }

    #[test]
    fn the_summary_offset_maps_camera_timestamps_to_run_clock_ns() {
        let mut fit = ClockFit::default();
        let frames = frames(100, 20.0, |_| 2_000_000);
        for &(camera, host) in &frames {
            fit.place(camera, host, clock());
        }
        let s = fit.summary(clock()).unwrap();
        let (camera, host) = frames[50];
        let run_ns = s.offset_ns + s.rate_ratio * camera as f64;
        assert!((run_ns - (host - ORIGIN) as f64).abs() < 1e3, "{run_ns}");
    }

    #[test]
    fn no_frames_no_summary() {
        assert_eq!(ClockFit::default().summary(clock()), None);
    }
}
