//! From sign-map patches to named visual areas: Allen's refinement (Zhuang
//! et al. 2017, `retinotopic_mapping`'s `RetinotopicMappingTrial`) then names.
//!
//! 1. [`growth`]: raw patches closed, grown to one-pixel borders, signed,
//!    small and isolated ones dropped;
//! 2. [`split`]: a patch that maps part of visual space twice is cut along
//!    its eccentricity basins;
//! 3. [`merge`]: same-sign neighbours that together map visual space once
//!    are joined;
//! 4. patches smaller than the minimum dropped, the rest numbered by size;
//! 5. [`naming`]: names by position relative to V1.
//!
//! Every threshold is a parameter ([`AreaRules`]) with the value Allen's
//! example notebook uses as its default.

pub mod eccentricity;
pub mod growth;
pub mod merge;
pub mod naming;
pub mod skeleton;
pub mod split;
pub mod visual_space;
pub mod watershed;

use ndarray::{Array2, Zip};

use crate::patches::PatchRules;

/// Allen's refinement settings (the example notebook's values by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaRules {
    /// Closing iterations applied to each raw patch (`closeIter`, 3).
    pub close_iterations: u32,
    /// Dilation iterations that grow the raw patches (`dilationIter`, 15).
    pub dilation_iterations: u32,
    /// Width of the lines between areas, pixels (`borderWidth`, 1).
    pub border_width_px: u32,
    /// Box filter width for the eccentricity maps, pixels (`eccMapFilterSigma`, 15).
    pub eccentricity_box_px: u32,
    /// Threshold step when looking for eccentricity basins, degrees (`splitLocalMinCutStep`, 5).
    pub split_cut_step_deg: f64,
    /// Repeated ÷ unique coverage from which a patch is split (`splitOverlapThr`, 1.1).
    pub split_overlap_threshold: f64,
    /// Largest shared ÷ own coverage of two patches that may merge (`mergeOverlapThr`, 0.1).
    pub merge_overlap_threshold: f64,
    /// Cell side of the visual-space grid, degrees (`visualSpacePixelSize`, 0.5).
    pub visual_space_pixel_deg: f64,
    /// Closing iterations of the visual-space coverage (`visualSpaceCloseIter`, 15).
    pub visual_space_close_iterations: u32,
    /// Largest distance, in V1 radii, from an area to the position its name stands for.
    pub name_distance_v1_radii: f64,
}

impl Default for AreaRules {
    fn default() -> Self {
        AreaRules {
            close_iterations: 3,
            dilation_iterations: 15,
            border_width_px: 1,
            eccentricity_box_px: 15,
            split_cut_step_deg: 5.0,
            split_overlap_threshold: 1.1,
            merge_overlap_threshold: 0.1,
            visual_space_pixel_deg: 0.5,
            visual_space_close_iterations: 15,
            name_distance_v1_radii: 0.5,
        }
    }
}

/// The maps the refinement reads: position maps smoothed as for the sign map
/// (σ_phase), and the smoothed sign map.
pub struct Maps {
    /// Altitude, degrees.
    pub altitude: Array2<f64>,
    /// Azimuth, degrees.
    pub azimuth: Array2<f64>,
    /// Smoothed visual field sign.
    pub sign_smoothed: Array2<f64>,
}

/// A patch being refined: its pixels and its field sign.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Its pixels over the whole map.
    pub mask: Array2<bool>,
    /// +1 or −1: the sign of the smoothed sign map summed over it.
    pub sign: i8,
}

impl Region {
    /// A region with the sign of `sign_smoothed` summed over `mask`.
    pub fn new(mask: Array2<bool>, sign_smoothed: &Array2<f64>) -> Region {
        let sum = Zip::from(&mask)
            .and(sign_smoothed)
            .fold(0.0, |s, &m, &v| if m { s + v } else { s });
        Region {
            mask,
            sign: if sum < 0.0 { -1 } else { 1 },
        }
    }

    /// Pixels.
    pub fn area(&self) -> usize {
        self.mask.iter().filter(|&&m| m).count()
    }

    /// Mean row and column of its pixels.
    pub fn centroid(&self) -> (f64, f64) {
        let (r, c, n) = self
            .mask
            .indexed_iter()
            .filter(|(_, &m)| m)
            .fold((0.0, 0.0, 0usize), |(r, c, n), ((i, j), _)| {
                (r + i as f64, c + j as f64, n + 1)
            });
        (r / n as f64, c / n as f64)
    }
}

/// One final area.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Label in the area image, 1..=K by size (largest first).
    pub label: i32,
    /// Name code in [`naming::NAMES`] (1-based), 0 when unnamed.
    pub name: i32,
    /// Field sign, +1 or −1.
    pub sign: i8,
    /// Pixels.
    pub area_px: i64,
    /// Mean row of its pixels.
    pub centroid_row: f64,
    /// Mean column of its pixels.
    pub centroid_col: f64,
    /// Mean smoothed sign over it.
    pub mean_vfs: f64,
    /// Unique visual-space coverage, deg².
    pub coverage_deg2: f64,
}

/// The label image (0 between areas) and table of the final areas.
pub fn find_areas(maps: &Maps, patch: &PatchRules, rules: &AreaRules) -> (Array2<i32>, Vec<Area>) {
    let raw = growth::raw_patch_map(&maps.sign_smoothed, patch, rules);
    let grown = growth::grow(&raw, rules);
    let regions = growth::signed_regions(&grown, &maps.sign_smoothed, rules, patch.min_patch_px);
    let split = split::split_all(regions, maps, rules);
    let mut merged: Vec<Region> = merge::merge_all(split, maps, rules)
        .into_iter()
        .filter(|r| r.area() >= patch.min_patch_px)
        .collect();
    merged.sort_by_key(|r| std::cmp::Reverse(r.area()));

    let centroids: Vec<(f64, f64)> = merged.iter().map(Region::centroid).collect();
    let sizes: Vec<usize> = merged.iter().map(Region::area).collect();
    let names = match merged
        .first()
        .and_then(|v1| naming::axes(&v1.mask, &maps.altitude, &maps.azimuth))
    {
        Some(axes) => naming::name_areas(&centroids, &sizes, axes, rules.name_distance_v1_radii),
        None => vec![0; merged.len()],
    };

    let mut labels = Array2::zeros(maps.sign_smoothed.raw_dim());
    let areas = merged
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let label = i as i32 + 1;
            let mut vfs = 0.0;
            Zip::from(&mut labels)
                .and(&region.mask)
                .and(&maps.sign_smoothed)
                .for_each(|l, &m, &v| {
                    if m {
                        *l = label;
                        vfs += v;
                    }
                });
            let coverage = visual_space::Coverage::of(
                &region.mask,
                &maps.altitude,
                &maps.azimuth,
                rules.visual_space_pixel_deg,
                rules.visual_space_close_iterations,
            );
            Area {
                label,
                name: names[i],
                sign: region.sign,
                area_px: sizes[i] as i64,
                centroid_row: centroids[i].0,
                centroid_col: centroids[i].1,
                mean_vfs: vfs / sizes[i] as f64,
                coverage_deg2: coverage.area_deg2(),
            }
        })
        .collect();
    (labels, areas)
}
