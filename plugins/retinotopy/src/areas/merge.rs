//! Merging neighbours that together make one map (Allen's `_mergePatches`).
//!
//! Two patches are candidates when they have the same sign, lie within
//! `border_width_px + 1` pixels of each other (both dilated once, then
//! overlapping), their union closed over the border line is one piece, and
//! each covers at most `merge_overlap_threshold` of its visual space twice
//! (the shared coverage divided by each one's own). Candidates are merged
//! greedily, the least overlapping first (ties: the larger merged coverage
//! first); rounds repeat until a round merges nothing.

use ndarray::{Array2, Zip};

use super::visual_space::Coverage;
use super::{AreaRules, Maps, Region};
use crate::morphology::{binary_closing, dilate};
use crate::patches::label_components;

/// A merge a round may make.
struct Candidate {
    first: usize,
    second: usize,
    merged: Array2<bool>,
    worst_ratio: f64,
    merged_coverage: f64,
}

/// The patches after merging (merged ones at the end, in merge order).
pub fn merge_all(mut regions: Vec<Region>, maps: &Maps, rules: &AreaRules) -> Vec<Region> {
    let coverage = |mask: &Array2<bool>| {
        Coverage::of(
            mask,
            &maps.altitude,
            &maps.azimuth,
            rules.visual_space_pixel_deg,
            rules.visual_space_close_iterations,
        )
    };
    loop {
        let coverages: Vec<Coverage> = regions.iter().map(|r| coverage(&r.mask)).collect();
        let near: Vec<Array2<bool>> = regions.iter().map(|r| dilate(&r.mask)).collect();
        let mut candidates = Vec::new();
        for first in 0..regions.len() {
            for second in first + 1..regions.len() {
                if regions[first].sign != regions[second].sign
                    || !Zip::from(&near[first])
                        .and(&near[second])
                        .any(|&a, &b| a && b)
                {
                    continue;
                }
                let union = Zip::from(&regions[first].mask)
                    .and(&regions[second].mask)
                    .map_collect(|&a, &b| a || b);
                let merged = binary_closing(&union, rules.border_width_px);
                if label_components(&merged).1 != 1 {
                    continue;
                }
                let (a, b) = (&coverages[first], &coverages[second]);
                let (area_a, area_b) = (a.area_deg2(), b.area_deg2());
                if area_a <= 0.0 || area_b <= 0.0 {
                    continue;
                }
                let shared = a.overlap_deg2(b);
                let worst_ratio = (shared / area_a).max(shared / area_b);
                if worst_ratio <= rules.merge_overlap_threshold {
                    let merged_coverage = coverage(&merged).area_deg2();
                    candidates.push(Candidate {
                        first,
                        second,
                        merged,
                        worst_ratio,
                        merged_coverage,
                    });
                }
            }
        }
        if candidates.is_empty() {
            return regions;
        }
        candidates.sort_by(|x, y| {
            x.worst_ratio
                .total_cmp(&y.worst_ratio)
                .then(y.merged_coverage.total_cmp(&x.merged_coverage))
        });
        let mut gone = vec![false; regions.len()];
        let mut merged = Vec::new();
        for c in candidates {
            if gone[c.first] || gone[c.second] {
                continue;
            }
            gone[c.first] = true;
            gone[c.second] = true;
            merged.push(Region {
                mask: c.merged,
                sign: regions[c.first].sign,
            });
        }
        regions = regions
            .into_iter()
            .zip(gone)
            .filter(|(_, gone)| !gone)
            .map(|(r, _)| r)
            .chain(merged)
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Maps where altitude follows rows and azimuth follows columns (1° per pixel).
    fn linear_maps(rows: usize, cols: usize) -> Maps {
        Maps {
            altitude: Array2::from_shape_fn((rows, cols), |(r, _)| r as f64 - 20.0),
            azimuth: Array2::from_shape_fn((rows, cols), |(_, c)| c as f64),
            sign_smoothed: Array2::zeros((rows, cols)),
        }
    }

    fn block(
        rows: usize,
        cols: usize,
        r: std::ops::Range<usize>,
        c: std::ops::Range<usize>,
    ) -> Array2<bool> {
        let mut mask = Array2::from_elem((rows, cols), false);
        mask.slice_mut(ndarray::s![r, c]).fill(true);
        mask
    }

    #[test]
    fn halves_of_one_map_cut_by_a_line_merge_back() {
        let maps = linear_maps(40, 60);
        let left = Region {
            mask: block(40, 60, 5..35, 5..29),
            sign: -1,
        };
        let right = Region {
            mask: block(40, 60, 5..35, 30..55),
            sign: -1,
        };
        let merged = merge_all(vec![left, right], &maps, &AreaRules::default());
        assert_eq!(merged.len(), 1);
        // The closing fills the line between them except its two end pixels
        // (a cross cannot reach them), as scipy's binary_closing does.
        assert_eq!(merged[0].area(), 30 * 50 - 2);
    }

    #[test]
    fn neighbours_of_opposite_sign_stay_apart() {
        let maps = linear_maps(40, 60);
        let left = Region {
            mask: block(40, 60, 5..35, 5..29),
            sign: -1,
        };
        let right = Region {
            mask: block(40, 60, 5..35, 30..55),
            sign: 1,
        };
        assert_eq!(
            merge_all(vec![left, right], &maps, &AreaRules::default()).len(),
            2
        );
    }
}
