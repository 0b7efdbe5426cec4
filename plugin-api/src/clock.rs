//! The run clock: one monotonic clock that the host and every plugin read, and
//! the instant of a run that is its zero (docs/science.md §1).
//!
//! The host records the origin once, when a run starts, before it starts any
//! stage; each started stage is told it ([`crate::Plugin::run_clock`]), so a
//! camera can put its frames on the same clock as the stimulus schedule, whose
//! t = 0 is run-clock 0. Both sides read [`monotonic_ns`]: the same clock in
//! the host and in a plugin library loaded into it.

/// The host's monotonic clock, in nanoseconds since an unspecified instant
/// (boot, on Linux): `CLOCK_MONOTONIC` on Linux and macOS, the
/// performance counter (`QueryPerformanceCounter`) on Windows. Never goes
/// back; does not follow changes of the wall clock.
pub fn monotonic_ns() -> i64 {
    platform::monotonic_ns()
}

/// A run's clock: [`monotonic_ns`] shifted so that the run's start is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunClock {
    origin_ns: i64,
}

impl RunClock {
    /// A run clock whose zero is now (what the host does once per run).
    pub fn starting_now() -> Self {
        Self::from_origin_ns(monotonic_ns())
    }

    /// The run clock whose zero is [`monotonic_ns`] = `origin_ns`.
    pub fn from_origin_ns(origin_ns: i64) -> Self {
        RunClock { origin_ns }
    }

    /// Its zero, on [`monotonic_ns`].
    pub fn origin_ns(self) -> i64 {
        self.origin_ns
    }

    /// Seconds on the run clock of the instant [`monotonic_ns`] read `monotonic_ns`.
    pub fn seconds_at(self, monotonic_ns: i64) -> f64 {
        (monotonic_ns - self.origin_ns) as f64 * 1e-9
    }

    /// Seconds on the run clock now.
    pub fn now_s(self) -> f64 {
        (monotonic_ns() - self.origin_ns) as f64 * 1e-9
    }
}

#[cfg(unix)]
mod platform {
    // `time_t` and `c_long` are i64 here, but narrower on 32-bit targets.
    #[allow(clippy::useless_conversion)]
    pub fn monotonic_ns() -> i64 {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid timespec to write; CLOCK_MONOTONIC exists on
        // every Unix this crate builds for (Linux, macOS).
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
        i64::from(now.tv_sec) * 1_000_000_000 + i64::from(now.tv_nsec)
    }
}

#[cfg(windows)]
mod platform {
    #[link(name = "kernel32")]
    extern "system" {
        fn QueryPerformanceCounter(count: *mut i64) -> i32;
        fn QueryPerformanceFrequency(frequency: *mut i64) -> i32;
    }

    pub fn monotonic_ns() -> i64 {
        let (mut count, mut frequency) = (0i64, 0i64);
        // SAFETY: both point to valid i64s; since Windows XP both calls
        // always succeed and the frequency is fixed at boot.
        unsafe {
            QueryPerformanceCounter(&mut count);
            QueryPerformanceFrequency(&mut frequency);
        }
        let frequency = i128::from(frequency.max(1));
        (i128::from(count) * 1_000_000_000 / frequency) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monotonic_clock_never_goes_back() {
        let readings: Vec<i64> = (0..1000).map(|_| monotonic_ns()).collect();
        assert!(readings.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn the_monotonic_clock_keeps_pace_with_std_instant() {
        let (start, ns) = (std::time::Instant::now(), monotonic_ns());
        std::thread::sleep(std::time::Duration::from_millis(50));
        let (elapsed, ns_elapsed) = (start.elapsed(), monotonic_ns() - ns);
        let difference = (elapsed.as_nanos() as i64 - ns_elapsed).abs();
        assert!(difference < 5_000_000, "{difference} ns apart");
    }

    #[test]
    fn run_clock_seconds_are_nanoseconds_past_the_origin() {
        let clock = RunClock::from_origin_ns(2_000_000_000);
        assert_eq!(clock.seconds_at(3_500_000_000), 1.5);
        assert_eq!(clock.seconds_at(1_000_000_000), -1.0);
    }

    #[test]
    fn a_run_clock_starting_now_reads_about_zero() {
        let now = RunClock::starting_now().now_s();
        assert!((0.0..0.1).contains(&now), "{now}");
    }
}
