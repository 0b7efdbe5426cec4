//! Running first-harmonic sums of one stimulus direction, in O(pixels) memory.
//!
//! For frames R_k taken at times t_k (seconds into their sweep) and ω = 2π/T,
//! the first Fourier component of ΔR/R = R/m − 1 (m the per-pixel mean) is
//!
//! F1 = Σ_k (R_k/m − 1)·e^{−iωt_k} = (1/m)·Σ_k R_k e^{−iωt_k} − Σ_k e^{−iωt_k},
//!
//! so three per-pixel sums (ΣR, ΣR·cos ωt, ΣR·sin ωt) and three scalars
//! (N, Σcos ωt, Σsin ωt) are all that must be kept while frames stream past.
//!
//! Precision: the sums are kept relative to a per-pixel reference (the first
//! frame), ΣR_k e_k = Σ(R_k − ref)·e_k + ref·Σe_k, so the products that are
//! rounded are of the size of the signal and noise (tens of counts), not of
//! the reflectance (thousands).
//!
//! Speed: frames are added in batches. For a few pixels at a time the batch
//! is summed in `f32` registers (the private `kernel` module) — exact for Σ(R − ref)
//! of raw counts (integers below 2^24), rounded at 6e-8 of the value for the
//! block means of binned frames, and with rounding far below the signal for the
//! cosine and sine sums — and then folded into `f64` totals, so the movie is
//! read once at close to memory speed while precision is kept over thousands
//! of frames. Chunks of pixels run in parallel (rayon).

use rayon::prelude::*;

pub use crate::kernel::Sample;
use crate::kernel::{add_chunk, ChunkTotals};

/// Pixels handed to one parallel task per batch.
const CHUNK_PIXELS: usize = 1024;

/// Largest batch for which the `f32` chunk sum of `u16` values stays exact (< 2^24).
pub const MAX_BATCH_FRAMES: usize = 256;

/// The first harmonic of one direction, per pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct Harmonic {
    /// Phase lag in radians, (−π, π]: `angle(Σ ΔR/R·e^{+iωt})` = −angle(F1).
    pub phase: Vec<f64>,
    /// 2|F1|/N: the amplitude of the ΔR/R oscillation.
    pub magnitude: Vec<f64>,
    /// Per-pixel mean of R over the frames of this direction.
    pub mean: Vec<f64>,
}

/// Running sums for one direction.
#[derive(Debug, Clone)]
pub struct HarmonicSums {
    /// The first frame, per pixel (exact in `f32`); empty until a frame arrives.
    reference: Vec<f32>,
    /// Σ(R − ref), Σ(R − ref)·cos ωt, Σ(R − ref)·sin ωt.
    sum: Vec<f64>,
    sum_cos: Vec<f64>,
    sum_sin: Vec<f64>,
    frames: u64,
    cos_total: f64,
    sin_total: f64,
}

impl HarmonicSums {
    /// Empty sums for frames of `pixels` pixels.
    pub fn new(pixels: usize) -> Self {
        HarmonicSums {
            reference: Vec::new(),
            sum: vec![0.0; pixels],
            sum_cos: vec![0.0; pixels],
            sum_sin: vec![0.0; pixels],
            frames: 0,
            cos_total: 0.0,
            sin_total: 0.0,
        }
    }

    /// Number of pixels per frame.
    pub fn pixels(&self) -> usize {
        self.sum.len()
    }

    /// Number of frames added so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Per-pixel ΣR (for a mean over several directions).
    pub fn sum(&self) -> Vec<f64> {
        let n = self.frames as f64;
        self.sum
            .iter()
            .zip(self.references())
            .map(|(&s, r)| s + n * r)
            .collect()
    }

    /// The per-pixel reference as `f64` (zeros before the first frame).
    fn references(&self) -> impl Iterator<Item = f64> + '_ {
        let zeros = std::iter::repeat_n(0.0, self.pixels() - self.reference.len());
        self.reference.iter().map(|&r| f64::from(r)).chain(zeros)
    }

    /// Adds a batch of frames (raw `u16` counts, or the `f32` block means of
    /// binned frames); `angles[k]` is ω·t_k of `frames[k]`.
    ///
    /// Panics if the lengths disagree, a frame has the wrong size, or the
    /// batch holds more than [`MAX_BATCH_FRAMES`] frames: callers own these invariants.
    pub fn add_batch<T: Sample>(&mut self, frames: &[&[T]], angles: &[f64]) {
        assert_eq!(frames.len(), angles.len(), "one angle per frame");
        assert!(
            frames.len() <= MAX_BATCH_FRAMES,
            "batch of {} frames is too long",
            frames.len()
        );
        let pixels = self.pixels();
        assert!(
            frames.iter().all(|f| f.len() == pixels),
            "every frame must have {pixels} pixels"
        );
        if self.reference.is_empty() {
            match frames.first() {
                Some(first) => self.reference = first.iter().map(|&r| r.into()).collect(),
                None => return,
            }
        }

        // The kernel uses f32 weights; the scalar totals use the same rounded
        // weights so that a constant pixel gives F1 = 0 up to f64 rounding.
        let weights: Vec<(f32, f32)> = angles
            .iter()
            .map(|&a| (libm::cos(a) as f32, libm::sin(a) as f32))
            .collect();
        for &(c, s) in &weights {
            self.cos_total += f64::from(c);
            self.sin_total += f64::from(s);
        }
        self.frames += frames.len() as u64;

        self.sum
            .par_chunks_mut(CHUNK_PIXELS)
            .zip(self.sum_cos.par_chunks_mut(CHUNK_PIXELS))
            .zip(self.sum_sin.par_chunks_mut(CHUNK_PIXELS))
            .zip(self.reference.par_chunks(CHUNK_PIXELS))
            .enumerate()
            .for_each(|(chunk, (((sum, sum_cos), sum_sin), reference))| {
                let totals = ChunkTotals {
                    sum,
                    sum_cos,
                    sum_sin,
                };
                add_chunk(frames, &weights, chunk * CHUNK_PIXELS, reference, totals);
            });
    }

    /// Phase, magnitude and mean per pixel. Pixels of a direction that saw
    /// no frames, or whose mean is zero, are NaN.
    pub fn harmonic(&self) -> Harmonic {
        let n = self.frames as f64;
        let pixel = |i: usize| -> (f64, f64, f64) {
            let reference = self.reference.get(i).map_or(0.0, |&r| f64::from(r));
            let mean = reference + self.sum[i] / n;
            // F1 = re − i·im with re = Σ(R/m)cos − Σcos = (Σ(R − ref)cos + (ref − m)·Σcos)/m,
            // and the same for im with sines.
            let re = (self.sum_cos[i] + (reference - mean) * self.cos_total) / mean;
            let im = (self.sum_sin[i] + (reference - mean) * self.sin_total) / mean;
            if mean > 0.0 && n > 0.0 {
                (libm::atan2(im, re), 2.0 * libm::hypot(re, im) / n, mean)
            } else {
                (f64::NAN, f64::NAN, if n > 0.0 { mean } else { f64::NAN })
            }
        };
        let per_pixel: Vec<(f64, f64, f64)> =
            (0..self.pixels()).into_par_iter().map(pixel).collect();
        Harmonic {
            phase: per_pixel.iter().map(|p| p.0).collect(),
            magnitude: per_pixel.iter().map(|p| p.1).collect(),
            mean: per_pixel.iter().map(|p| p.2).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// One pixel's time series R(t) = m·(1 + a·cos(ωt − lag)) at the given times.
    fn series(times: &[f64], omega: f64, mean: f64, amplitude: f64, lag: f64) -> Vec<u16> {
        times
            .iter()
            .map(|&t| (mean * (1.0 + amplitude * libm::cos(omega * t - lag))).round() as u16)
            .collect()
    }

    fn run(pixel_series: &[Vec<u16>], times: &[f64], omega: f64, batch: usize) -> Harmonic {
        let frames: Vec<Vec<u16>> = (0..times.len())
            .map(|k| pixel_series.iter().map(|p| p[k]).collect())
            .collect();
        let mut sums = HarmonicSums::new(pixel_series.len());
        for (chunk_frames, chunk_times) in frames.chunks(batch).zip(times.chunks(batch)) {
            let refs: Vec<&[u16]> = chunk_frames.iter().map(Vec::as_slice).collect();
            let angles: Vec<f64> = chunk_times.iter().map(|&t| omega * t).collect();
            sums.add_batch(&refs, &angles);
        }
        sums.harmonic()
    }

    #[test]
    fn cosine_with_known_lag_and_amplitude_is_recovered_on_regular_timestamps() {
        // 5 sweeps of 10 s at 20 frames/s: an integer number of periods.
        let omega = 2.0 * PI / 10.0;
        let times: Vec<f64> = (0..1000).map(|k| k as f64 * 0.05).collect();
        let lags = [0.3, 1.7, -2.5, PI - 0.01];
        let pixels: Vec<Vec<u16>> = lags
            .iter()
            .map(|&lag| series(&times, omega, 3000.0, 0.01, lag))
            .collect();
        let h = run(&pixels, &times, omega, 64);
        for (p, &lag) in lags.iter().enumerate() {
            assert!(
                (h.phase[p] - lag).abs() < 2e-3,
                "pixel {p}: phase {} vs lag {lag}",
                h.phase[p]
            );
            assert!(
                (h.magnitude[p] - 0.01).abs() < 2e-4,
                "pixel {p}: magnitude {}",
                h.magnitude[p]
            );
            assert!((h.mean[p] - 3000.0).abs() < 0.5);
        }
    }

    #[test]
    fn irregular_timestamps_still_give_the_true_phase() {
        // Jittered frame times (±40% of the 50 ms period) covering 4 whole sweeps.
        let omega = 2.0 * PI / 8.0;
        let mut state = 12345_u64;
        let mut jitter = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 0.04
        };
        let times: Vec<f64> = (0..640)
            .map(|k| (k as f64 * 0.05 + 0.025 + jitter()).max(0.0))
            .collect();
        let lag = 2.2;
        let pixel = series(&times, omega, 2500.0, 0.004, lag);
        let h = run(&[pixel], &times, omega, 17);
        assert!((h.phase[0] - lag).abs() < 0.01, "phase {}", h.phase[0]);
        assert!(
            (h.magnitude[0] - 0.004).abs() < 1e-4,
            "magnitude {}",
            h.magnitude[0]
        );
    }

    #[test]
    fn a_reflectance_dip_has_phase_lag_plus_pi() {
        // ΔR/R = −a·cos(ω(t − t0)): the dip peaks at t0, its phase is ωt0 + π (wrapped).
        let omega = 2.0 * PI / 10.0;
        let times: Vec<f64> = (0..400).map(|k| k as f64 * 0.1).collect();
        let t0 = 2.0;
        let pixel = series(&times, omega, 3000.0, -0.005, omega * t0);
        let h = run(&[pixel], &times, omega, 256);
        let expected = omega * t0 + PI - 2.0 * PI;
        assert!(
            (h.phase[0] - expected).abs() < 2e-3,
            "phase {} vs {expected}",
            h.phase[0]
        );
    }

    #[test]
    fn constant_pixel_has_zero_magnitude() {
        let omega = 2.0 * PI / 7.3;
        let times: Vec<f64> = (0..333).map(|k| k as f64 * 0.07).collect();
        let h = run(&[vec![2718; 333]], &times, omega, 32);
        assert!(h.magnitude[0] < 1e-15, "magnitude {}", h.magnitude[0]);
        assert_eq!(h.mean[0], 2718.0);
    }

    #[test]
    fn batch_size_changes_nothing_beyond_rounding() {
        let omega = 2.0 * PI / 10.0;
        let times: Vec<f64> = (0..500).map(|k| k as f64 * 0.1).collect();
        let pixels: Vec<Vec<u16>> = (0..2100)
            .map(|p| series(&times, omega, 2000.0 + p as f64, 0.002, p as f64 * 0.003))
            .collect();
        let a = run(&pixels, &times, omega, 1);
        let b = run(&pixels, &times, omega, 200);
        for p in 0..pixels.len() {
            assert!(
                (a.phase[p] - b.phase[p]).abs() < 1e-6,
                "pixel {p}: {} vs {}",
                a.phase[p],
                b.phase[p]
            );
        }
    }

    #[test]
    fn a_direction_without_frames_is_nan() {
        let h = HarmonicSums::new(3).harmonic();
        assert!(h
            .phase
            .iter()
            .chain(&h.magnitude)
            .chain(&h.mean)
            .all(|v| v.is_nan()));
    }
}
