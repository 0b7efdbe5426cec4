//! Area patches from the smoothed sign map: threshold |VFS| ≥ thr, binary
//! opening, 4-connected components, small patches dropped, and a table of the rest.

use ndarray::Array2;

use crate::morphology::binary_opening;

/// One area patch.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// Label in the label image, 1..=K in raster order of each patch's first pixel.
    pub label: i32,
    /// Sign of `mean_vfs`: +1 (non-mirror) or −1 (mirror-image) field sign.
    pub sign: i8,
    /// Number of pixels.
    pub area_px: i64,
    /// Mean row index of its pixels.
    pub centroid_row: f64,
    /// Mean column index of its pixels.
    pub centroid_col: f64,
    /// Mean of the smoothed sign map over the patch.
    pub mean_vfs: f64,
}

/// How patches are cut out of the smoothed sign map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatchRules {
    /// Keep pixels with |VFS| ≥ this.
    pub threshold: f64,
    /// Erosions (then dilations) of the binary opening.
    pub open_iterations: u32,
    /// Drop patches with fewer pixels than this.
    pub min_patch_px: usize,
}

/// Connected components of `mask` with 4-connectivity, numbered 1.. in raster
/// order of their first pixel (as `scipy.ndimage.label`); 0 is background.
pub fn label_components(mask: &Array2<bool>) -> (Array2<i32>, usize) {
    let (rows, cols) = mask.dim();
    let mut labels = Array2::zeros((rows, cols));
    let mut count = 0;
    let mut stack = Vec::new();
    for start in (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c))) {
        if !mask[start] || labels[start] != 0 {
            continue;
        }
        count += 1;
        labels[start] = count as i32;
        stack.push(start);
        while let Some((r, c)) = stack.pop() {
            let candidates = [
                r.checked_sub(1).map(|r| (r, c)),
                (r + 1 < rows).then_some((r + 1, c)),
                c.checked_sub(1).map(|c| (r, c)),
                (c + 1 < cols).then_some((r, c + 1)),
            ];
            for p in candidates.into_iter().flatten() {
                if mask[p] && labels[p] == 0 {
                    labels[p] = count as i32;
                    stack.push(p);
                }
            }
        }
    }
    (labels, count)
}

/// Labels and table of the patches of `sign_smoothed` under `rules`.
pub fn find_patches(sign_smoothed: &Array2<f64>, rules: &PatchRules) -> (Array2<i32>, Vec<Patch>) {
    let mask = sign_smoothed.mapv(|v| v.abs() >= rules.threshold);
    let (raw, count) = label_components(&binary_opening(&mask, rules.open_iterations));

    #[derive(Default, Clone)]
    struct Sums {
        area: usize,
        row: f64,
        col: f64,
        vfs: f64,
    }
    let mut sums = vec![Sums::default(); count + 1];
    for ((r, c), &label) in raw.indexed_iter() {
        let s = &mut sums[label as usize];
        s.area += 1;
        s.row += r as f64;
        s.col += c as f64;
        s.vfs += sign_smoothed[[r, c]];
    }

    let mut new_label = vec![0i32; count + 1];
    let mut patches = Vec::new();
    for (old, s) in sums.iter().enumerate().skip(1) {
        if s.area < rules.min_patch_px {
            continue;
        }
        let n = s.area as f64;
        let mean_vfs = s.vfs / n;
        let label = patches.len() as i32 + 1;
        new_label[old] = label;
        patches.push(Patch {
            label,
            sign: if mean_vfs < 0.0 { -1 } else { 1 },
            area_px: s.area as i64,
            centroid_row: s.row / n,
            centroid_col: s.col / n,
            mean_vfs,
        });
    }
    (raw.mapv(|l| new_label[l as usize]), patches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn labels_follow_scipy_raster_order_with_4_connectivity() {
        // scipy.ndimage.label(np.array([[0,1,0,1],[1,0,0,1],[1,1,1,1]]))
        let mask = array![[0, 1, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1]].mapv(|v| v == 1);
        let (labels, count) = label_components(&mask);
        assert_eq!(count, 2);
        assert_eq!(labels, array![[0, 1, 0, 2], [2, 0, 0, 2], [2, 2, 2, 2]]);
    }

    #[test]
    fn diagonal_neighbours_are_separate_patches() {
        let mask = array![[true, false], [false, true]];
        assert_eq!(label_components(&mask).1, 2);
    }

    #[test]
    fn patch_table_has_sign_area_centroid_and_mean() {
        // A 4×4 block of −0.75 and a 3×3 block of +0.625 (which the rules drop as too small).
        let mut vfs = Array2::zeros((10, 12));
        vfs.slice_mut(ndarray::s![1..5, 2..6]).fill(-0.75);
        vfs.slice_mut(ndarray::s![6..9, 8..11]).fill(0.625);
        let rules = PatchRules {
            threshold: 0.5,
            open_iterations: 0,
            min_patch_px: 10,
        };
        let (labels, patches) = find_patches(&vfs, &rules);
        assert_eq!(
            patches,
            [Patch {
                label: 1,
                sign: -1,
                area_px: 16,
                centroid_row: 2.5,
                centroid_col: 3.5,
                mean_vfs: -0.75
            }]
        );
        assert_eq!(labels.iter().filter(|&&l| l == 1).count(), 16);
        assert_eq!(
            labels[[7, 9]],
            0,
            "the small patch is removed from the label image too"
        );
    }

    #[test]
    fn pixels_below_threshold_are_background() {
        let vfs = array![[0.39, -0.39], [0.4, -0.4]];
        let rules = PatchRules {
            threshold: 0.4,
            open_iterations: 0,
            min_patch_px: 1,
        };
        let (labels, patches) = find_patches(&vfs, &rules);
        assert_eq!(labels, array![[0, 0], [1, 1]]);
        assert_eq!(
            patches.len(),
            1,
            "one 4-connected patch, whatever the signs inside it"
        );
    }
}
