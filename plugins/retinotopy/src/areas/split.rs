//! Splitting a patch that holds more than one map of the same visual space
//! (Allen's `_splitPatches`, `localMin`, `Patch.split2`).
//!
//! A patch is split when its summed |Jacobian| of the position maps (deg² of
//! visual space per cortical pixel, counting repeats) divided by its unique
//! coverage reaches `split_overlap_threshold`, and its eccentricity map has
//! two or more basins: the threshold rises from below the minimum in steps
//! of `split_cut_step_deg` until the pixels under it form two or more
//! 4-connected pieces. Those basins seed a watershed of the eccentricity;
//! the lines between the flooded regions are thinned to one pixel and cut
//! out, and each remaining piece is a new patch with the parent's sign.

use ndarray::{Array2, Zip};

use super::eccentricity::patch_eccentricity;
use super::growth::regions_of;
use super::skeleton::skeletonize;
use super::visual_space::Coverage;
use super::watershed::watershed;
use super::{AreaRules, Maps, Region};
use crate::gradient::gradient;
use crate::morphology::{dilate, dilate_n};
use crate::patches::label_components;

/// |∂alt/∂row·∂azi/∂col − ∂alt/∂col·∂azi/∂row| per pixel.
pub fn determinant_map(maps: &Maps) -> Array2<f64> {
    let (alt_row, alt_col) = gradient(&maps.altitude);
    let (azi_row, azi_col) = gradient(&maps.azimuth);
    Zip::from(&alt_row)
        .and(&alt_col)
        .and(&azi_row)
        .and(&azi_col)
        .map_collect(|&ar, &ac, &zr, &zc| (ar * zc - ac * zr).abs())
}

/// The basins of `eccentricity` (NaN outside the patch) at the first
/// threshold that gives two or more, else at the last threshold tried.
pub fn basins(eccentricity: &Array2<f64>, step: f64) -> (Array2<i32>, usize) {
    let finite = || eccentricity.iter().copied().filter(|v| v.is_finite());
    let (low, high) = (
        finite().fold(f64::INFINITY, f64::min),
        finite().fold(f64::NEG_INFINITY, f64::max),
    );
    let mut found = (Array2::zeros(eccentricity.raw_dim()), 0);
    if !(low.is_finite() && step > 0.0) {
        return found;
    }
    let mut cut = low - step;
    while cut < high + 2.0 * step {
        found = label_components(&eccentricity.mapv(|e| e <= cut));
        if found.1 >= 2 {
            break;
        }
        cut += step;
    }
    found
}

/// The patches after splitting, in the order of `regions` (a split patch's
/// pieces take its place).
pub fn split_all(regions: Vec<Region>, maps: &Maps, rules: &AreaRules) -> Vec<Region> {
    let determinant = determinant_map(maps);
    regions
        .into_iter()
        .flat_map(|region| {
            let coverage = Coverage::of(
                &region.mask,
                &maps.altitude,
                &maps.azimuth,
                rules.visual_space_pixel_deg,
                rules.visual_space_close_iterations,
            )
            .area_deg2();
            let repeated: f64 = Zip::from(&region.mask)
                .and(&determinant)
                .fold(0.0, |s, &m, &d| if m { s + d } else { s });
            if coverage <= 0.0 || repeated / coverage < rules.split_overlap_threshold {
                return vec![region];
            }
            let eccentricity = patch_eccentricity(
                &region.mask,
                &maps.altitude,
                &maps.azimuth,
                rules.eccentricity_box_px as usize,
            );
            let (markers, count) = basins(&eccentricity, rules.split_cut_step_deg);
            if count < 2 {
                return vec![region];
            }
            cut(&region, &eccentricity, &markers, rules.border_width_px)
        })
        .collect()
}

/// The pieces of `region` after cutting along the watershed lines.
fn cut(
    region: &Region,
    eccentricity: &Array2<f64>,
    markers: &Array2<i32>,
    border_width: u32,
) -> Vec<Region> {
    let flooded = watershed(eccentricity, markers, &region.mask);
    let count = flooded.iter().copied().max().unwrap_or(0) as usize;
    let ring = |mask: &Array2<bool>| {
        Zip::from(&dilate(mask))
            .and(mask)
            .map_collect(|&d, &m| d && !m)
    };
    let mut lines = ring(&region.mask);
    for piece in regions_of(&flooded, count) {
        lines.zip_mut_with(&ring(&piece), |l, &r| *l |= r);
    }
    let lines = dilate_n(&skeletonize(&lines), border_width.saturating_sub(1));
    let kept = Zip::from(&dilate(&region.mask))
        .and(&lines)
        .map_collect(|&d, &l| d && !l);
    let (labels, pieces) = label_components(&kept);
    regions_of(&labels, pieces)
        .into_iter()
        .map(|piece| {
            Zip::from(&piece)
                .and(&region.mask)
                .map_collect(|&p, &m| p && m)
        })
        .filter(|piece| piece.iter().any(|&p| p))
        .map(|mask| Region {
            mask,
            sign: region.sign,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_valleys_appear_as_two_basins() {
        let eccentricity = array![[1.0, 5.0, 20.0, 6.0, 2.0]];
        let (labels, count) = basins(&eccentricity, 5.0);
        assert_eq!(count, 2);
        assert_eq!(labels, array![[1, 1, 0, 2, 2]]);
    }

    #[test]
    fn one_valley_is_one_basin_at_the_last_threshold() {
        let eccentricity = array![[1.0, 5.0, 9.0, f64::NAN]];
        let (labels, count) = basins(&eccentricity, 5.0);
        assert_eq!(count, 1);
        assert_eq!(labels, array![[1, 1, 1, 0]]);
    }

    #[test]
    fn the_determinant_of_linear_maps_is_their_area_scale() {
        let maps = Maps {
            altitude: Array2::from_shape_fn((5, 5), |(r, _)| 2.0 * r as f64),
            azimuth: Array2::from_shape_fn((5, 5), |(_, c)| 3.0 * c as f64),
            sign_smoothed: Array2::zeros((5, 5)),
        };
        assert!(determinant_map(&maps).iter().all(|&d| d == 6.0));
    }
}
