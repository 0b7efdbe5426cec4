//! When the camera exposes: frame k at `t0 + k / rate` (nominal) plus an
//! optional seeded jitter, in whole nanoseconds of the stimulus clock.

use rand::{rngs::StdRng, SeedableRng};
use rand_distr::{Distribution, Normal};

use crate::noise::stream_seed;

/// Random stream of the timestamp jitter (see [`stream_seed`]).
const JITTER_STREAM: u64 = 3;

/// Jitter is truncated to this fraction of a frame period, so exposures stay in order.
const JITTER_LIMIT_PERIODS: f64 = 0.45;

/// One exposure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exposure {
    /// Camera frame number, from 0.
    pub frame_id: u64,
    /// Nominal exposure time, ns.
    pub nominal_ns: i64,
    /// Actual exposure time (nominal + jitter), ns; the frame's timestamp.
    pub time_ns: i64,
}

/// The sequence of exposures, started by the first schedule row.
#[derive(Debug, Clone)]
pub struct ExposureClock {
    rate_hz: f64,
    jitter: Option<(Normal<f64>, StdRng)>,
    origin_ns: Option<i64>,
    next: Option<Exposure>,
}

impl ExposureClock {
    /// A clock at `rate_hz` whose exposures deviate from nominal by a Gaussian
    /// of standard deviation `jitter_s` (0 = none) drawn from `seed`.
    pub fn new(rate_hz: f64, jitter_s: f64, seed: u64) -> Self {
        let jitter = (jitter_s > 0.0).then(|| {
            let normal = Normal::new(0.0, jitter_s * 1e9).expect("a validated finite jitter");
            (
                normal,
                StdRng::seed_from_u64(stream_seed(seed, JITTER_STREAM, 0, 0)),
            )
        });
        ExposureClock {
            rate_hz,
            jitter,
            origin_ns: None,
            next: None,
        }
    }

    /// Sets frame 0's nominal time; later calls do nothing.
    pub fn start_at(&mut self, origin_ns: i64) {
        if self.origin_ns.is_none() {
            self.origin_ns = Some(origin_ns);
            self.next = Some(self.exposure(0));
        }
    }

    /// The next exposure not yet taken, once started.
    pub fn next(&self) -> Option<Exposure> {
        self.next
    }

    /// Moves on to the following exposure.
    pub fn advance(&mut self) {
        if let Some(current) = self.next {
            self.next = Some(self.exposure(current.frame_id + 1));
        }
    }

    fn exposure(&mut self, frame_id: u64) -> Exposure {
        let origin = self
            .origin_ns
            .expect("exposures exist only once the clock started");
        let nominal_ns = origin + (frame_id as f64 * 1e9 / self.rate_hz).round() as i64;
        let limit = JITTER_LIMIT_PERIODS * 1e9 / self.rate_hz;
        let offset = match &mut self.jitter {
            Some((normal, stream)) => normal.sample(stream).clamp(-limit, limit).round() as i64,
            None => 0,
        };
        Exposure {
            frame_id,
            nominal_ns,
            time_ns: nominal_ns + offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposures_follow_the_frame_rate_from_the_first_row() {
        let mut clock = ExposureClock::new(30.0, 0.0, 1);
        assert_eq!(clock.next(), None);
        clock.start_at(5_000);
        let times: Vec<i64> = (0..4)
            .map(|_| {
                let t = clock.next().unwrap().time_ns;
                clock.advance();
                t
            })
            .collect();
        assert_eq!(
            times,
            [
                5_000,
                5_000 + 33_333_333,
                5_000 + 66_666_667,
                5_000 + 100_000_000
            ]
        );
    }

    #[test]
    fn jitter_stays_within_the_limit_and_keeps_frames_in_order() {
        let mut clock = ExposureClock::new(10.0, 0.02, 9);
        clock.start_at(0);
        let mut previous = i64::MIN;
        let mut moved = 0;
        for _ in 0..500 {
            let e = clock.next().unwrap();
            assert!((e.time_ns - e.nominal_ns).abs() <= 45_000_000);
            assert!(e.time_ns > previous);
            moved += usize::from(e.time_ns != e.nominal_ns);
            previous = e.time_ns;
            clock.advance();
        }
        assert!(moved > 490);
    }
}
