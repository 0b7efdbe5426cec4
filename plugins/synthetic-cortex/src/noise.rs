//! Camera noise and digitisation: shot and read noise from seeded random
//! streams, rounding and clamping to 12-bit counts.
//!
//! Each (frame, row) pair has its own random stream derived from the seed, so a
//! frame's noise does not depend on how rayon splits the rows between threads.

use rand::{rngs::StdRng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};

use crate::params::MAX_COUNT;

/// Random stream of the pixel noise (see [`stream_seed`]).
const PIXEL_NOISE_STREAM: u64 = 2;

/// Shot noise plus read noise, then 12-bit digitisation.
#[derive(Debug, Clone, Copy)]
pub struct NoiseModel {
    seed: u64,
    shot: bool,
    electrons_per_count: f64,
    read_variance: f64,
}

impl NoiseModel {
    /// A model with shot noise of variance `counts / electrons_per_count` (when
    /// `shot`) and read noise of standard deviation `read_noise_counts`.
    pub fn new(seed: u64, shot: bool, electrons_per_count: f64, read_noise_counts: f64) -> Self {
        NoiseModel {
            seed,
            shot,
            electrons_per_count,
            read_variance: read_noise_counts * read_noise_counts,
        }
    }

    /// The random stream for row `row` of frame `frame_id`.
    pub fn row_stream(&self, frame_id: u64, row: usize) -> StdRng {
        StdRng::seed_from_u64(stream_seed(
            self.seed,
            PIXEL_NOISE_STREAM,
            frame_id,
            row as u64,
        ))
    }

    /// A noisy 12-bit reading of a pixel whose expected value is `mean` counts.
    /// Shot noise (Poisson) is approximated by a Gaussian of the same variance,
    /// accurate to well under a count at the hundreds-to-thousands of counts
    /// the model produces; shot and read noise add as one Gaussian.
    pub fn read(&self, mean: f64, stream: &mut StdRng) -> u16 {
        let shot_variance = if self.shot {
            mean.max(0.0) / self.electrons_per_count
        } else {
            0.0
        };
        let variance = shot_variance + self.read_variance;
        let value = if variance > 0.0 {
            let z: f64 = StandardNormal.sample(stream);
            mean + variance.sqrt() * z
        } else {
            mean
        };
        value.round().clamp(0.0, MAX_COUNT) as u16
    }
}

/// A seed for the random stream `stream` at (`a`, `b`) derived from the user's
/// seed by SplitMix64 mixing: distinct inputs give unrelated streams.
pub fn stream_seed(seed: u64, stream: u64, a: u64, b: u64) -> u64 {
    [stream, a, b]
        .iter()
        .fold(splitmix64(seed), |h, &v| splitmix64(h ^ splitmix64(v)))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_noise_a_reading_is_the_rounded_clamped_mean() {
        let model = NoiseModel::new(1, false, 1.0, 0.0);
        let mut stream = model.row_stream(0, 0);
        assert_eq!(model.read(2500.4, &mut stream), 2500);
        assert_eq!(model.read(2500.6, &mut stream), 2501);
        assert_eq!(model.read(5000.0, &mut stream), 4095);
        assert_eq!(model.read(-3.0, &mut stream), 0);
    }

    #[test]
    fn shot_and_read_noise_add_their_variances() {
        // Shot variance 2500/4 = 625 plus read variance 3² = 9: σ = √634 ≈ 25.18 counts.
        let model = NoiseModel::new(3, true, 4.0, 3.0);
        let mut stream = model.row_stream(0, 0);
        let n = 40_000;
        let values: Vec<f64> = (0..n)
            .map(|_| f64::from(model.read(2500.0, &mut stream)))
            .collect();
        let mean = values.iter().sum::<f64>() / n as f64;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        // Rounding adds 1/12 count²; the sampling error of σ is about σ/√(2n) ≈ 0.09.
        assert!((mean - 2500.0).abs() < 0.5, "mean {mean}");
        assert!(
            (var.sqrt() - (634.0f64 + 1.0 / 12.0).sqrt()).abs() < 0.4,
            "σ {}",
            var.sqrt()
        );
    }

    #[test]
    fn streams_differ_by_seed_frame_and_row() {
        let seeds = [
            stream_seed(1, 2, 0, 0),
            stream_seed(2, 2, 0, 0),
            stream_seed(1, 2, 1, 0),
            stream_seed(1, 2, 0, 1),
        ];
        for i in 0..seeds.len() {
            for j in i + 1..seeds.len() {
                assert_ne!(seeds[i], seeds[j]);
            }
        }
    }
}
