//! The response model: how much each pixel darkens for a given bar position,
//! and the rendering of one camera frame.
//!
//! A pixel with preferred position `p` (azimuth for a vertical bar, altitude
//! for a horizontal one) and a bar centred at `b` is activated by
//! `a = exp(−(b − p)² / (2 σ²))` with `σ² = σ_rf² + w²/12`: a Gaussian
//! receptive field convolved with the bar's width `w`, matched in variance
//! (a uniform bar of width `w` has variance w²/12), with peak 1. Reflectance
//! is `R = baseline · (1 − A · a)`. Pixels outside every area do not respond.

use rayon::prelude::*;

use crate::noise::NoiseModel;

/// Which coordinate the stimulus drives, and where its bar is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Drive {
    /// Grey screen (baseline, or before the stimulus started): no activation.
    Rest,
    /// A vertical bar (directions LR, RL) centred at this azimuth, degrees.
    Azimuth(f64),
    /// A horizontal bar (directions BT, TB) centred at this altitude, degrees.
    Altitude(f64),
}

/// The width σ (degrees) of the response to a bar of width `bar_width_deg`
/// for a receptive field of spread `rf_sigma_deg`.
pub fn response_sigma_deg(rf_sigma_deg: f64, bar_width_deg: f64) -> f64 {
    (rf_sigma_deg * rf_sigma_deg + bar_width_deg * bar_width_deg / 12.0).sqrt()
}

/// Everything the renderer needs about every pixel, fixed for the run.
#[derive(Debug, Clone)]
pub struct Cortex {
    width: usize,
    baseline: Vec<f32>,
    preferred_azimuth_deg: Vec<f64>,
    preferred_altitude_deg: Vec<f64>,
    amplitude: f64,
    /// 1 / (2σ²) of the response, 1/deg².
    inverse_two_variance: f64,
}

impl Cortex {
    /// A cortex `width` pixels wide with these per-pixel baseline (counts) and
    /// preferred positions (degrees, NaN for pixels that do not respond).
    pub fn new(
        width: usize,
        baseline: Vec<f32>,
        preferred_azimuth_deg: Vec<f64>,
        preferred_altitude_deg: Vec<f64>,
        amplitude: f64,
        response_sigma_deg: f64,
    ) -> Self {
        Cortex {
            width,
            baseline,
            preferred_azimuth_deg,
            preferred_altitude_deg,
            amplitude,
            inverse_two_variance: 1.0 / (2.0 * response_sigma_deg * response_sigma_deg),
        }
    }

    /// The baseline image, counts.
    pub fn baseline(&self) -> &[f32] {
        &self.baseline
    }

    /// Activation (0..=1) of pixel `index` under `drive`.
    pub fn activation(&self, index: usize, drive: Drive) -> f64 {
        let (bar, preferred) = match drive {
            Drive::Rest => return 0.0,
            Drive::Azimuth(bar) => (bar, self.preferred_azimuth_deg[index]),
            Drive::Altitude(bar) => (bar, self.preferred_altitude_deg[index]),
        };
        if preferred.is_nan() {
            return 0.0;
        }
        let offset = bar - preferred;
        libm::exp(-offset * offset * self.inverse_two_variance)
    }

    /// Expected reflectance (counts) of pixel `index` under `drive`.
    pub fn reflectance(&self, index: usize, drive: Drive) -> f64 {
        f64::from(self.baseline[index]) * (1.0 - self.amplitude * self.activation(index, drive))
    }

    /// Renders frame `frame_id` into `frame` (row-major, one value per pixel):
    /// the reflectance under `drive`, read through `noise`. Rows run in parallel.
    pub fn render(&self, drive: Drive, noise: &NoiseModel, frame_id: u64, frame: &mut [u16]) {
        frame
            .par_chunks_mut(self.width)
            .enumerate()
            .for_each(|(row, line)| {
                let mut stream = noise.row_stream(frame_id, row);
                let first = row * self.width;
                for (offset, value) in line.iter_mut().enumerate() {
                    *value = noise.read(self.reflectance(first + offset, drive), &mut stream);
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_pixel(amplitude: f64) -> Cortex {
        Cortex::new(1, vec![2000.0], vec![40.0], vec![10.0], amplitude, 10.0)
    }

    #[test]
    fn the_response_width_adds_the_bar_variance_to_the_receptive_field() {
        // 12² + 20²/12 = 144 + 33.33 → σ = 13.32°
        assert!((response_sigma_deg(12.0, 20.0) - 177.333_333_333f64.sqrt()).abs() < 1e-9);
        assert_eq!(response_sigma_deg(5.0, 0.0), 5.0);
    }

    #[test]
    fn a_bar_on_the_preferred_position_darkens_by_the_amplitude() {
        let cortex = one_pixel(0.01);
        assert_eq!(cortex.reflectance(0, Drive::Rest), 2000.0);
        assert!((cortex.reflectance(0, Drive::Azimuth(40.0)) - 1980.0).abs() < 1e-9);
        assert!((cortex.reflectance(0, Drive::Altitude(10.0)) - 1980.0).abs() < 1e-9);
    }

    #[test]
    fn one_sigma_away_the_activation_is_exp_minus_one_half() {
        let cortex = one_pixel(0.01);
        assert!((cortex.activation(0, Drive::Azimuth(50.0)) - libm::exp(-0.5)).abs() < 1e-12);
        assert!((cortex.activation(0, Drive::Altitude(0.0)) - libm::exp(-0.5)).abs() < 1e-12);
    }

    #[test]
    fn pixels_outside_the_areas_do_not_respond() {
        let cortex = Cortex::new(1, vec![2000.0], vec![f64::NAN], vec![f64::NAN], 0.5, 10.0);
        assert_eq!(cortex.reflectance(0, Drive::Azimuth(0.0)), 2000.0);
    }
}
