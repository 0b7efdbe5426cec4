//! From the thresholded sign map to the patches Allen's procedure refines
//! (`_getRawPatchMap`, `dilationPatches2`, `_getRawPatches`):
//! 1. |smoothed sign| ≥ threshold, binary opening, 4-connected components,
//!    each closed on its own;
//! 2. the union grown by a cross dilation, its rim thinned to one-pixel
//!    lines ([`skeletonize`]) that become the borders between patches, and the
//!    pieces that touch a raw patch kept;
//! 3. each piece's sign from the sum of the smoothed sign over it; pieces
//!    smaller than the minimum dropped, then pieces with no other piece within
//!    two pixels (isolated) dropped.

use ndarray::{Array2, Zip};

use super::skeleton::skeletonize;
use super::{AreaRules, Region};
use crate::morphology::{binary_closing, binary_opening, dilate_n};
use crate::patches::{label_components, PatchRules};

/// Step 1: the raw patch map.
pub fn raw_patch_map(
    sign_smoothed: &Array2<f64>,
    patch: &PatchRules,
    rules: &AreaRules,
) -> Array2<bool> {
    let mask = sign_smoothed.mapv(|v| v.abs() >= patch.threshold);
    let (labels, count) = label_components(&binary_opening(&mask, patch.open_iterations));
    let mut raw = Array2::from_elem(mask.raw_dim(), false);
    for component in regions_of(&labels, count) {
        raw.zip_mut_with(
            &binary_closing(&component, rules.close_iterations),
            |r, &c| *r |= c,
        );
    }
    raw
}

/// The masks of labels 1..=count.
pub fn regions_of(labels: &Array2<i32>, count: usize) -> Vec<Array2<bool>> {
    (1..=count as i32)
        .map(|l| labels.mapv(|v| v == l))
        .collect()
}

/// Step 2: the raw patches grown to the lines between them.
pub fn grow(raw: &Array2<bool>, rules: &AreaRules) -> Array2<bool> {
    let total = dilate_n(raw, rules.dilation_iterations);
    let rim = Zip::from(&total).and(raw).map_collect(|&t, &r| t && !r);
    let lines = dilate_n(&skeletonize(&rim), rules.border_width_px.saturating_sub(1));
    let pieces = Zip::from(&total).and(&lines).map_collect(|&t, &l| t && !l);
    let (labels, count) = label_components(&pieces);
    let mut touches = vec![false; count + 1];
    Zip::from(&labels)
        .and(raw)
        .for_each(|&l, &r| touches[l as usize] |= r);
    labels.mapv(|l| l != 0 && touches[l as usize])
}

/// Step 3: the grown pieces as signed regions, small and isolated ones
/// dropped, largest first.
pub fn signed_regions(
    grown: &Array2<bool>,
    sign_smoothed: &Array2<f64>,
    rules: &AreaRules,
    min_px: usize,
) -> Vec<Region> {
    let (labels, count) = label_components(grown);
    let sized: Vec<Region> = regions_of(&labels, count)
        .into_iter()
        .map(|mask| Region::new(mask, sign_smoothed))
        .filter(|region| region.area() >= min_px)
        .collect();
    let reach = 2 * rules.border_width_px;
    let near: Vec<Array2<bool>> = sized.iter().map(|r| dilate_n(&r.mask, reach)).collect();
    let mut kept: Vec<Region> = sized
        .iter()
        .enumerate()
        .filter(|&(i, _)| {
            sized.iter().enumerate().any(|(j, other)| {
                j != i && Zip::from(&near[i]).and(&other.mask).any(|&a, &b| a && b)
            })
        })
        .map(|(_, region)| region.clone())
        .collect();
    kept.sort_by_key(|r| std::cmp::Reverse(r.area()));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> AreaRules {
        AreaRules::default()
    }

    #[test]
    fn two_raw_patches_grow_until_a_one_pixel_line_parts_them() {
        let mut raw = Array2::from_elem((21, 31), false);
        raw.slice_mut(ndarray::s![5..16, 3..12]).fill(true);
        raw.slice_mut(ndarray::s![5..16, 19..28]).fill(true);
        let grown = grow(
            &raw,
            &AreaRules {
                dilation_iterations: 5,
                ..rules()
            },
        );
        let (_, pieces) = label_components(&grown);
        assert_eq!(pieces, 2);
        let gap: Vec<bool> = grown.row(10).iter().copied().collect();
        assert_eq!(gap[12..19].iter().filter(|&&v| !v).count(), 1, "{gap:?}");
    }

    #[test]
    fn a_patch_with_no_neighbour_is_dropped_as_isolated() {
        let sign = Array2::from_elem((30, 30), -0.5);
        let mut grown = Array2::from_elem((30, 30), false);
        grown.slice_mut(ndarray::s![0..10, 0..10]).fill(true);
        grown.slice_mut(ndarray::s![0..10, 11..20]).fill(true);
        grown.slice_mut(ndarray::s![20..30, 20..30]).fill(true);
        let regions = signed_regions(&grown, &sign, &rules(), 1);
        let areas: Vec<usize> = regions.iter().map(Region::area).collect();
        assert_eq!(areas, [100, 90]);
        assert!(regions.iter().all(|r| r.sign == -1));
    }
}
