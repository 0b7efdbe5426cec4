//! Names for the final areas by where they lie relative to V1.
//!
//! Allen's package leaves naming to a person; this is the rule macroscope
//! uses instead, stated so that it can be checked and changed:
//! 1. V1 is the largest area.
//! 2. The cortical axes come from V1's own maps, so neither the hemisphere nor
//!    the camera's orientation matters: *medial* is the direction in which
//!    azimuth rises across V1 (V1's lateral edge holds the central, binocular
//!    field), *anterior* the direction in which altitude falls (V1's
//!    anterior part holds the lower field), made perpendicular to medial.
//! 3. Each area's centroid is placed in those axes, relative to V1's centroid
//!    and in units of V1's radius √(area/π), and compared with [`TEMPLATE`].
//! 4. Pairs (area, template) are taken closest first; an area gets a name
//!    when both are still free and the distance is at most
//!    `name_distance_v1_radii`. The others stay unnamed.
//!
//! The typical positions are those of the areas Allen's authors named by hand
//! on their published example (Zhuang et al. 2017, `retinotopic_mapping`'s
//! example notebook: V1, PM, RL, P, LM, AM, LI, MMA, AL, RLL, LLA, MMP), placed
//! by this rule and rounded to 0.1 V1 radius. They are one real brain's
//! layout: on that example the rule gives back the authors' names by
//! construction; on other brains it is a first proposal to check by eye.

use ndarray::{Array2, Zip};

use crate::gradient::gradient;

/// The rule in one sentence, stored with the areas.
pub const NAMING_RULE: &str = "V1 is the largest area; medial is the direction of V1's mean azimuth gradient, anterior the direction against its mean altitude gradient (made perpendicular); centroids are placed relative to V1's in V1 radii, and (area, typical position) pairs are taken closest first within name_distance_v1_radii; typical positions from the areas named on Allen's published example (Zhuang et al. 2017)";

/// The names an area can get, as stored: code k (≥ 1) is `NAMES[k − 1]`, 0 is unnamed.
pub const NAMES: [&str; 12] = [
    "V1", "LM", "AL", "RL", "AM", "PM", "LI", "P", "MMA", "MMP", "RLL", "LLA",
];

/// Typical centroid of each higher area relative to V1's: (medial, anterior)
/// in units of V1's radius, in the order of [`NAMES`] after V1.
pub const TEMPLATE: [(&str, f64, f64); 11] = [
    ("LM", -1.2, -0.3),
    ("AL", -1.4, 0.3),
    ("RL", -0.9, 1.2),
    ("AM", 0.1, 1.6),
    ("PM", 1.3, 0.9),
    ("LI", -1.6, -0.6),
    ("P", 0.1, -1.0),
    ("MMA", 0.8, 1.7),
    ("MMP", 1.0, 1.2),
    ("RLL", -1.1, 1.5),
    ("LLA", -1.9, 0.2),
];

/// The code of `name` in [`NAMES`] (1-based).
pub fn code_of(name: &str) -> i32 {
    NAMES
        .iter()
        .position(|&n| n == name)
        .map_or(0, |i| i as i32 + 1)
}

/// Where an area lies relative to V1, in V1 radii.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Towards medial.
    pub medial: f64,
    /// Towards anterior.
    pub anterior: f64,
}

/// The medial and anterior unit vectors (row, col) from V1's mean gradients;
/// `None` when V1's maps have no direction.
pub fn axes(
    v1: &Array2<bool>,
    altitude: &Array2<f64>,
    azimuth: &Array2<f64>,
) -> Option<[(f64, f64); 2]> {
    let mean_gradient = |map: &Array2<f64>| {
        let (d_row, d_col) = gradient(map);
        Zip::from(v1)
            .and(&d_row)
            .and(&d_col)
            .fold((0.0, 0.0), |(r, c), &m, &dr, &dc| {
                if m && dr.is_finite() && dc.is_finite() {
                    (r + dr, c + dc)
                } else {
                    (r, c)
                }
            })
    };
    let unit = |(r, c): (f64, f64)| {
        let n = libm::hypot(r, c);
        (n > 0.0).then(|| (r / n, c / n))
    };
    let medial = unit(mean_gradient(azimuth))?;
    let (alt_r, alt_c) = mean_gradient(altitude);
    let along = -alt_r * medial.0 - alt_c * medial.1;
    let anterior = unit((-alt_r - along * medial.0, -alt_c - along * medial.1))?;
    Some([medial, anterior])
}

/// Names (codes) for areas with the given centroids (row, col) and sizes,
/// the largest being V1; `axes` from [`axes`].
pub fn name_areas(
    centroids: &[(f64, f64)],
    sizes: &[usize],
    axes: [(f64, f64); 2],
    max_distance: f64,
) -> Vec<i32> {
    let mut codes = vec![0; centroids.len()];
    let Some(v1) = (0..sizes.len()).max_by_key(|&i| (sizes[i], std::cmp::Reverse(i))) else {
        return codes;
    };
    codes[v1] = code_of("V1");
    let radius = (sizes[v1] as f64 / std::f64::consts::PI).sqrt();
    let place = |(r, c): (f64, f64)| {
        let (dr, dc) = (r - centroids[v1].0, c - centroids[v1].1);
        Placement {
            medial: (dr * axes[0].0 + dc * axes[0].1) / radius,
            anterior: (dr * axes[1].0 + dc * axes[1].1) / radius,
        }
    };
    let mut pairs = Vec::new();
    for (area, &centroid) in centroids.iter().enumerate() {
        if area == v1 {
            continue;
        }
        let at = place(centroid);
        for (t, &(_, medial, anterior)) in TEMPLATE.iter().enumerate() {
            let distance = libm::hypot(at.medial - medial, at.anterior - anterior);
            if distance <= max_distance {
                pairs.push((distance, area, t));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut template_taken = [false; TEMPLATE.len()];
    for (_, area, t) in pairs {
        if codes[area] == 0 && !template_taken[t] {
            codes[area] = code_of(TEMPLATE[t].0);
            template_taken[t] = true;
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Medial along +col, anterior along −row.
    const AXES: [(f64, f64); 2] = [(0.0, 1.0), (-1.0, 0.0)];

    #[test]
    fn the_largest_area_is_v1_and_its_neighbours_are_named_by_position() {
        // V1 of radius 10 px at (50, 50): an area 12 px lateral and 3 px
        // posterior is LM, one 13 px medial and 9 px anterior is PM.
        let v1_px = (100.0 * std::f64::consts::PI).round() as usize;
        let centroids = [(50.0, 50.0), (53.0, 38.0), (41.0, 63.0)];
        let codes = name_areas(&centroids, &[v1_px, 80, 90], AXES, 0.5);
        let names: Vec<&str> = codes.iter().map(|&c| NAMES[c as usize - 1]).collect();
        assert_eq!(names, ["V1", "LM", "PM"]);
    }

    #[test]
    fn an_area_far_from_every_template_stays_unnamed() {
        let codes = name_areas(&[(50.0, 50.0), (50.0, 400.0)], &[300, 100], AXES, 0.5);
        assert_eq!(codes, [code_of("V1"), 0]);
    }

    #[test]
    fn two_areas_never_share_a_name() {
        let codes = name_areas(
            &[(50.0, 50.0), (53.0, 38.0), (53.5, 38.5)],
            &[314, 80, 70],
            AXES,
            0.5,
        );
        assert_eq!(codes[1], code_of("LM"));
        assert_ne!(codes[2], code_of("LM"));
    }

    #[test]
    fn axes_follow_v1s_azimuth_and_altitude_gradients() {
        // Azimuth rising along columns, altitude rising along rows.
        let v1 = Array2::from_elem((8, 8), true);
        let azimuth = Array2::from_shape_fn((8, 8), |(_, c)| c as f64);
        let altitude = Array2::from_shape_fn((8, 8), |(r, _)| r as f64);
        assert_eq!(
            axes(&v1, &altitude, &azimuth),
            Some([(0.0, 1.0), (-1.0, 0.0)])
        );
    }
}
