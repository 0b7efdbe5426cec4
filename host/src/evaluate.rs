//! Compares recovered retinotopic maps with a synthetic cortex's ground truth:
//! what the demo prints, so every run says how close the analysis came.

use ndarray::Array2;

/// Absolute error statistics over a set of pixels, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorStats {
    /// Median absolute error.
    pub median: f64,
    /// 95th percentile of the absolute error.
    pub p95: f64,
    /// Pixels compared.
    pub pixels: usize,
}

/// How one true area was recovered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaMatch {
    /// True area label.
    pub label: i32,
    /// Its true sign (+1/−1).
    pub true_sign: i8,
    /// Intersection over union with the best-overlapping recovered patch (0 if none).
    pub iou: f64,
    /// The best patch's mean sign agrees with the true sign.
    pub sign_matches: bool,
}

/// The comparison of one run with its truth.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthReport {
    /// Azimuth error over responsive pixels.
    pub azimuth: ErrorStats,
    /// Altitude error over responsive pixels.
    pub altitude: ErrorStats,
    /// Fraction of pixels with |true VFS| > 0.5 whose recovered sign agrees.
    pub sign_agreement: f64,
    /// One entry per true area.
    pub areas: Vec<AreaMatch>,
}

/// The ground truth a synthetic camera hides in its movie.
#[derive(Debug, Clone)]
pub struct Truth {
    /// True azimuth, degrees.
    pub azimuth_deg: Array2<f64>,
    /// True altitude, degrees.
    pub altitude_deg: Array2<f64>,
    /// True sign (+1/−1 inside areas, 0 outside).
    pub sign: Array2<i8>,
    /// True area labels (0 outside).
    pub areas: Array2<i32>,
}

/// Compares recovered maps (`azimuth`, `altitude`, raw `vfs`, `labels`) with `truth`.
/// Responsive pixels are those inside a true area.
pub fn compare(
    azimuth: &Array2<f64>,
    altitude: &Array2<f64>,
    vfs: &Array2<f64>,
    labels: &Array2<i32>,
    truth: &Truth,
) -> TruthReport {
    let inside = |i: usize| truth.areas.as_slice().map(|a| a[i] > 0).unwrap_or(false);
    let errors = |recovered: &Array2<f64>, expected: &Array2<f64>| {
        let values: Vec<f64> = recovered
            .iter()
            .zip(expected.iter())
            .enumerate()
            .filter(|(i, (r, _))| inside(*i) && r.is_finite())
            .map(|(_, (r, e))| (r - e).abs())
            .collect();
        stats(values)
    };
    let strong: Vec<(f64, i8)> = vfs
        .iter()
        .zip(truth.sign.iter())
        .filter(|(v, s)| **s != 0 && v.is_finite())
        .map(|(v, s)| (*v, *s))
        .collect();
    let agree = strong
        .iter()
        .filter(|(v, s)| (*v > 0.0) == (*s > 0))
        .count();
    TruthReport {
        azimuth: errors(azimuth, &truth.azimuth_deg),
        altitude: errors(altitude, &truth.altitude_deg),
        sign_agreement: if strong.is_empty() {
            0.0
        } else {
            agree as f64 / strong.len() as f64
        },
        areas: match_areas(labels, vfs, truth),
    }
}

fn stats(mut values: Vec<f64>) -> ErrorStats {
    if values.is_empty() {
        return ErrorStats {
            median: f64::NAN,
            p95: f64::NAN,
            pixels: 0,
        };
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    ErrorStats {
        median: at(0.5),
        p95: at(0.95),
        pixels: values.len(),
    }
}

fn match_areas(labels: &Array2<i32>, vfs: &Array2<f64>, truth: &Truth) -> Vec<AreaMatch> {
    let true_labels: std::collections::BTreeSet<i32> =
        truth.areas.iter().copied().filter(|&l| l > 0).collect();
    true_labels
        .into_iter()
        .map(|label| {
            let mask = truth.areas.mapv(|a| a == label);
            let true_sign = truth
                .sign
                .iter()
                .zip(mask.iter())
                .find(|(_, m)| **m)
                .map(|(s, _)| *s)
                .unwrap_or(0);
            let mut overlap: std::collections::HashMap<i32, usize> =
                std::collections::HashMap::new();
            for (l, m) in labels.iter().zip(mask.iter()) {
                if *m && *l > 0 {
                    *overlap.entry(*l).or_default() += 1;
                }
            }
            let Some((&best, &shared)) = overlap.iter().max_by_key(|(_, n)| **n) else {
                return AreaMatch {
                    label,
                    true_sign,
                    iou: 0.0,
                    sign_matches: false,
                };
            };
            let patch = labels.iter().filter(|l| **l == best).count();
            let area = mask.iter().filter(|m| **m).count();
            let (sum, n) = labels
                .iter()
                .zip(vfs.iter())
                .filter(|(l, v)| **l == best && v.is_finite())
                .fold((0.0, 0usize), |(s, n), (_, v)| (s + v, n + 1));
            let mean = if n > 0 { sum / n as f64 } else { 0.0 };
            AreaMatch {
                label,
                true_sign,
                iou: shared as f64 / (patch + area - shared) as f64,
                sign_matches: (mean > 0.0) == (true_sign > 0),
            }
        })
        .collect()
}

impl std::fmt::Display for TruthReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "azimuth error:  median {:.3}°, 95th percentile {:.3}° over {} px",
            self.azimuth.median, self.azimuth.p95, self.azimuth.pixels
        )?;
        writeln!(
            f,
            "altitude error: median {:.3}°, 95th percentile {:.3}° over {} px",
            self.altitude.median, self.altitude.p95, self.altitude.pixels
        )?;
        writeln!(
            f,
            "sign agreement: {:.1}% of area pixels",
            100.0 * self.sign_agreement
        )?;
        for area in &self.areas {
            writeln!(
                f,
                "area {} (sign {:+}): IoU {:.2}, sign {}",
                area.label,
                area.true_sign,
                area.iou,
                if area.sign_matches { "right" } else { "WRONG" }
            )?;
        }
        Ok(())
    }
}

/// The ground truth a `synthetic-cortex` camera stored in the file at `path`, or `None`.
pub fn find_truth(path: &std::path::Path) -> Result<Option<Truth>, crate::store::StoreError> {
    let Some(camera) = crate::store::StageDatasets::find(path, "acquisitions", "true_azimuth_deg")?
    else {
        return Ok(None);
    };
    Ok(Some(Truth {
        azimuth_deg: camera.read_2d("true_azimuth_deg")?,
        altitude_deg: camera.read_2d("true_altitude_deg")?,
        sign: camera.read_2d("true_sign")?,
        areas: camera.read_2d("true_areas")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::s;

    fn truth() -> Truth {
        let mut areas = Array2::zeros((6, 6));
        areas.slice_mut(s![0..6, 0..3]).fill(1);
        areas.slice_mut(s![0..6, 3..6]).fill(2);
        let sign = areas.mapv(|a| if a == 1 { 1i8 } else { -1 });
        Truth {
            azimuth_deg: Array2::from_shape_fn((6, 6), |(_, c)| c as f64 * 10.0),
            altitude_deg: Array2::from_shape_fn((6, 6), |(r, _)| r as f64 * 10.0),
            sign,
            areas,
        }
    }

    #[test]
    fn errors_are_absolute_differences_with_median_and_95th_percentile() {
        let t = truth();
        let azimuth = &t.azimuth_deg + 0.5;
        let report = compare(
            &azimuth,
            &t.altitude_deg,
            &t.sign.mapv(f64::from),
            &t.areas,
            &t,
        );
        assert_eq!(report.azimuth.median, 0.5);
        assert_eq!(report.azimuth.p95, 0.5);
        assert_eq!(report.altitude.median, 0.0);
        assert_eq!(report.azimuth.pixels, 36);
    }

    #[test]
    fn a_perfect_segmentation_has_iou_one_and_right_signs() {
        let t = truth();
        let report = compare(
            &t.azimuth_deg,
            &t.altitude_deg,
            &t.sign.mapv(f64::from),
            &t.areas,
            &t,
        );
        assert_eq!(report.sign_agreement, 1.0);
        assert!(report.areas.iter().all(|a| a.iou == 1.0 && a.sign_matches));
    }

    #[test]
    fn a_patch_covering_half_an_area_has_iou_one_half() {
        let t = truth();
        let mut labels = t.areas.clone();
        labels.slice_mut(s![0..3, 0..3]).fill(0);
        let report = compare(
            &t.azimuth_deg,
            &t.altitude_deg,
            &t.sign.mapv(f64::from),
            &labels,
            &t,
        );
        assert_eq!(report.areas[0].iou, 0.5);
    }
}
