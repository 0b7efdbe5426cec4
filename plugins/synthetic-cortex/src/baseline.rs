//! The mean reflectance image: illumination with vignetting, darkened along
//! surface blood vessels drawn from the seed.
//!
//! `baseline(p) = counts · (1 − v·ρ²) · (1 − darkening(p))`, where ρ is the
//! distance from the window centre relative to the corner distance and the
//! darkening is the strongest Gaussian vessel profile covering `p`.

use rand::{rngs::StdRng, Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

use crate::noise::stream_seed;

/// Random stream of the vessel pattern (see [`stream_seed`]).
const VESSEL_STREAM: u64 = 1;

/// Width (2σ of the Gaussian cross-section, window units) of the large vessels.
const TRUNK_WIDTH: [f64; 2] = [0.022, 0.038];
/// Branch width relative to its trunk.
const BRANCH_WIDTH_RATIO: [f64; 2] = [0.35, 0.6];
/// Length of one polyline step, window units.
const STEP: f64 = 0.01;
/// Longest trunk and branch, in steps.
const TRUNK_STEPS: usize = 300;
const BRANCH_STEPS: usize = 45;
/// Chance per trunk step of starting a branch, and the most branches per trunk.
const BRANCH_CHANCE: f64 = 0.04;
const MAX_BRANCHES: usize = 4;

/// What the baseline image is made from.
#[derive(Debug, Clone, Copy)]
pub struct BaselineSpec {
    /// Reflectance at the window centre, counts.
    pub counts: f64,
    /// Fractional fall-off at the corners.
    pub vignetting: f64,
    /// Number of large vessels.
    pub vessel_count: u32,
    /// Darkening at the centre line of the widest vessel.
    pub vessel_contrast: f64,
    /// Seed of the vessel pattern.
    pub seed: u64,
}

/// One straight piece of a vessel, in window units.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: [f64; 2],
    end: [f64; 2],
    /// σ of the Gaussian cross-section.
    sigma: f64,
    /// Darkening at the centre line.
    contrast: f64,
}

impl Segment {
    /// Darkening this segment causes at point `p`.
    fn darkening_at(&self, p: [f64; 2]) -> f64 {
        let reach = 4.0 * self.sigma;
        let [lo_y, hi_y] = minmax(self.start[0], self.end[0]);
        let [lo_x, hi_x] = minmax(self.start[1], self.end[1]);
        if p[0] < lo_y - reach || p[0] > hi_y + reach || p[1] < lo_x - reach || p[1] > hi_x + reach
        {
            return 0.0;
        }
        let d = [self.end[0] - self.start[0], self.end[1] - self.start[1]];
        let rel = [p[0] - self.start[0], p[1] - self.start[1]];
        let len2 = d[0] * d[0] + d[1] * d[1];
        let t = if len2 > 0.0 {
            ((rel[0] * d[0] + rel[1] * d[1]) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (ey, ex) = (rel[0] - t * d[0], rel[1] - t * d[1]);
        self.contrast * libm::exp(-(ey * ey + ex * ex) / (2.0 * self.sigma * self.sigma))
    }
}

fn minmax(a: f64, b: f64) -> [f64; 2] {
    if a <= b {
        [a, b]
    } else {
        [b, a]
    }
}

/// The baseline image of a `width` × `height` window, row-major, in counts.
pub fn baseline_image(width: usize, height: usize, spec: BaselineSpec) -> Vec<f32> {
    let unit = width.min(height) as f64;
    let half = [height as f64 / unit / 2.0, width as f64 / unit / 2.0];
    let corner2 = half[0] * half[0] + half[1] * half[1];
    let vessels = vessel_segments(half, spec);
    let mut image = vec![0f32; width * height];
    image
        .par_chunks_mut(width)
        .enumerate()
        .for_each(|(row, line)| {
            let y = (row as f64 + 0.5) / unit - half[0];
            for (col, value) in line.iter_mut().enumerate() {
                let x = (col as f64 + 0.5) / unit - half[1];
                let illumination = 1.0 - spec.vignetting * (y * y + x * x) / corner2;
                let darkening = vessels
                    .iter()
                    .map(|s| s.darkening_at([y, x]))
                    .fold(0.0, f64::max);
                *value = (spec.counts * illumination * (1.0 - darkening)) as f32;
            }
        });
    image
}

/// Trunks entering from the window edges, each a smoothly bending random walk
/// with a few thinner branches.
fn vessel_segments(half: [f64; 2], spec: BaselineSpec) -> Vec<Segment> {
    let mut rng = StdRng::seed_from_u64(stream_seed(spec.seed, VESSEL_STREAM, 0, 0));
    let mut segments = Vec::new();
    for _ in 0..spec.vessel_count {
        let (start, heading) = entry_point(half, &mut rng);
        let width = rng.random_range(TRUNK_WIDTH[0]..TRUNK_WIDTH[1]);
        let contrast = spec.vessel_contrast * width / TRUNK_WIDTH[1];
        let trunk = random_path(start, heading, TRUNK_STEPS, half, &mut rng);
        let mut branches = 0;
        for pair in trunk.windows(2) {
            segments.push(Segment {
                start: pair[0],
                end: pair[1],
                sigma: width / 2.0,
                contrast,
            });
            if branches < MAX_BRANCHES && rng.random_bool(BRANCH_CHANCE) {
                branches += 1;
                let ratio = rng.random_range(BRANCH_WIDTH_RATIO[0]..BRANCH_WIDTH_RATIO[1]);
                let side = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
                let along = libm::atan2(pair[1][1] - pair[0][1], pair[1][0] - pair[0][0]);
                let turn = side * rng.random_range(30f64..70.0).to_radians();
                let branch = random_path(pair[1], along + turn, BRANCH_STEPS, half, &mut rng);
                segments.extend(branch.windows(2).map(|b| Segment {
                    start: b[0],
                    end: b[1],
                    sigma: width * ratio / 2.0,
                    contrast: contrast * ratio,
                }));
            }
        }
    }
    segments
}

/// A random point on the window edge and a heading (radians from +y toward +x)
/// pointing into the window within ±40° of the centre.
fn entry_point(half: [f64; 2], rng: &mut StdRng) -> ([f64; 2], f64) {
    let along = rng.random_range(-0.9..0.9);
    let start = match rng.random_range(0..4) {
        0 => [-half[0], along * half[1]],
        1 => [half[0], along * half[1]],
        2 => [along * half[0], -half[1]],
        _ => [along * half[0], half[1]],
    };
    let to_centre = libm::atan2(-start[1], -start[0]);
    (
        start,
        to_centre + rng.random_range(-40f64..40.0).to_radians(),
    )
}

/// A polyline of at most `steps` steps whose heading bends smoothly (the
/// curvature itself is a damped random walk); stops once it leaves the window.
fn random_path(
    start: [f64; 2],
    heading: f64,
    steps: usize,
    half: [f64; 2],
    rng: &mut StdRng,
) -> Vec<[f64; 2]> {
    let kick = Normal::new(0.0, 0.04).expect("a positive constant standard deviation");
    let mut points = vec![start];
    let (mut p, mut heading, mut curvature) = (start, heading, 0.0);
    for _ in 0..steps {
        curvature = 0.85 * curvature + kick.sample(rng);
        heading += curvature;
        p = [
            p[0] + STEP * libm::cos(heading),
            p[1] + STEP * libm::sin(heading),
        ];
        points.push(p);
        if p[0].abs() > half[0] + STEP || p[1].abs() > half[1] + STEP {
            break;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(vessel_count: u32) -> BaselineSpec {
        BaselineSpec {
            counts: 2600.0,
            vignetting: 0.15,
            vessel_count,
            vessel_contrast: 0.35,
            seed: 7,
        }
    }

    #[test]
    fn without_vessels_the_image_is_the_vignetting_profile() {
        let image = baseline_image(64, 64, spec(0));
        // Pixel centres nearest the window centre are (0.5/64, 0.5/64) away: ρ² = 2·(1/128)² / 0.5.
        let centre = 2600.0 * (1.0 - 0.15 * 2.0 * (1.0 / 128.0 * (1.0 / 128.0)) / 0.5);
        assert!((f64::from(image[32 * 64 + 32]) - centre).abs() < 1e-3);
        // Corner pixel centre: ρ² = 2·(0.5 − 1/128)² / 0.5.
        let corner =
            2600.0 * (1.0 - 0.15 * 2.0 * ((0.5 - 1.0 / 128.0) * (0.5 - 1.0 / 128.0)) / 0.5);
        assert!((f64::from(image[0]) - corner).abs() < 1e-3);
    }

    #[test]
    fn vessels_darken_some_pixels_by_up_to_the_contrast() {
        let plain = baseline_image(96, 96, spec(0));
        let image = baseline_image(96, 96, spec(5));
        let ratios: Vec<f64> = image
            .iter()
            .zip(&plain)
            .map(|(v, p)| f64::from(*v / *p))
            .collect();
        let darkest = ratios.iter().copied().fold(1.0, f64::min);
        assert!(
            (0.65 - 1e-6..0.8).contains(&darkest),
            "darkest ratio {darkest}"
        );
        let darkened = ratios.iter().filter(|&&r| r < 0.97).count() as f64 / ratios.len() as f64;
        assert!(
            (0.02..0.4).contains(&darkened),
            "{darkened} of the pixels lie on vessels"
        );
    }

    #[test]
    fn the_vessel_pattern_follows_the_seed() {
        let a = baseline_image(48, 48, spec(5));
        let b = baseline_image(48, 48, BaselineSpec { seed: 8, ..spec(5) });
        assert_eq!(a, baseline_image(48, 48, spec(5)));
        assert_ne!(a, b);
    }
}
