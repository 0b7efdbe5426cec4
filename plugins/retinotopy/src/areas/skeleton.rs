//! One-pixel-wide skeletons by Zhang and Suen's parallel thinning (1984), the
//! algorithm behind `skimage.morphology.skeletonize` in 2-D; pixels outside
//! the image count as background.
//!
//! Each pass has two sub-iterations. A foreground pixel P1 with neighbours
//! P2…P9 (north, then clockwise) is removed when it has 2 to 6 foreground
//! neighbours, exactly one background-to-foreground transition around
//! P2, P3, …, P9, P2, and P2·P4·P6 = P4·P6·P8 = 0 (first sub-iteration) or
//! P2·P4·P8 = P2·P6·P8 = 0 (second); all removals of a sub-iteration happen
//! together. Passes repeat until nothing changes. skimage implements the same
//! conditions through its own lookup table, which treats a few neighbourhoods
//! differently: its skeleton may lie a pixel away from this one (a 3 × 5 bar
//! thins here to the two middle pixels of its middle row; skimage keeps three
//! pixels and a spur). Allen's procedure uses the skeleton only as the line
//! between areas, so this moves a border by at most a pixel.

use ndarray::Array2;

/// P2…P9 of (r, c): north, north-east, east, south-east, south, south-west, west, north-west.
const AROUND: [(i64, i64); 8] = [
    (-1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
    (1, 0),
    (1, -1),
    (0, -1),
    (-1, -1),
];

/// The skeleton of `mask`.
pub fn skeletonize(mask: &Array2<bool>) -> Array2<bool> {
    let mut out = mask.clone();
    let (rows, cols) = out.dim();
    let at = |image: &Array2<bool>, r: usize, c: usize, (dr, dc): (i64, i64)| {
        let (r, c) = (r as i64 + dr, c as i64 + dc);
        r >= 0
            && c >= 0
            && (r as usize) < rows
            && (c as usize) < cols
            && image[[r as usize, c as usize]]
    };
    loop {
        let mut changed = false;
        for second in [false, true] {
            let mut remove = Vec::new();
            for ((r, c), &set) in out.indexed_iter() {
                if !set {
                    continue;
                }
                let p: [bool; 8] = std::array::from_fn(|k| at(&out, r, c, AROUND[k]));
                let neighbours = p.iter().filter(|&&v| v).count();
                let transitions = (0..8).filter(|&k| !p[k] && p[(k + 1) % 8]).count();
                let (p2, p4, p6, p8) = (p[0], p[2], p[4], p[6]);
                // P2·P4·P8 = P2·P6·P8 = 0, or P2·P4·P6 = P4·P6·P8 = 0.
                let removable = if second {
                    !(p2 && p8 && (p4 || p6))
                } else {
                    !(p4 && p6 && (p2 || p8))
                };
                if (2..=6).contains(&neighbours) && transitions == 1 && removable {
                    remove.push((r, c));
                }
            }
            changed |= !remove.is_empty();
            for p in remove {
                out[p] = false;
            }
        }
        if !changed {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::morphology::tests::from_rows;

    #[test]
    fn a_three_pixel_thick_bar_thins_to_its_middle_row() {
        let bar = from_rows(&["0000000", "0111110", "0111110", "0111110", "0000000"]);
        let skeleton = skeletonize(&bar);
        let on = |row: usize| skeleton.row(row).iter().filter(|&&v| v).count();
        assert_eq!(
            [on(0), on(1), on(2), on(3), on(4)],
            [0, 0, 2, 0, 0],
            "{skeleton:?}"
        );
    }

    #[test]
    fn a_one_pixel_line_is_its_own_skeleton_but_loses_nothing_inside() {
        let line = from_rows(&["00000", "01110", "00000"]);
        let skeleton = skeletonize(&line);
        assert!(skeleton[[1, 2]], "the middle of a line stays");
    }

    #[test]
    fn the_skeleton_of_a_ring_stays_a_closed_ring() {
        let ring = from_rows(&[
            "000000000",
            "011111110",
            "011111110",
            "011000110",
            "011000110",
            "011000110",
            "011111110",
            "011111110",
            "000000000",
        ]);
        let skeleton = skeletonize(&ring);
        let (_, holes) = crate::patches::label_components(&skeleton.mapv(|v| !v));
        assert_eq!(holes, 2, "outside and the hole stay apart: {skeleton:?}");
    }
}
