//! Marker-based watershed as `skimage.segmentation.watershed(image, markers,
//! connectivity=ones((3, 3)), mask=mask)`: a priority flood from the markers
//! over 8-connected pixels inside the mask, lowest value first, ties in the
//! order pixels were reached; pixels no marker reaches stay 0.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use ndarray::Array2;

/// A pixel waiting in the flood: its value (NaN as +∞), then arrival order.
struct Waiting(f64, u64, (usize, usize));

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Waiting {}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0
            .total_cmp(&other.0)
            .then(self.1.cmp(&other.1))
            .then(self.2.cmp(&other.2))
    }
}

/// Labels of `markers` (> 0) flooded over `image` inside `mask`.
pub fn watershed(image: &Array2<f64>, markers: &Array2<i32>, mask: &Array2<bool>) -> Array2<i32> {
    let (rows, cols) = image.dim();
    let mut labels = Array2::zeros((rows, cols));
    let mut queue = BinaryHeap::new();
    let mut order = 0u64;
    let value = |p: (usize, usize)| {
        let v = image[p];
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    for ((r, c), &m) in markers.indexed_iter() {
        if m > 0 && mask[[r, c]] {
            labels[[r, c]] = m;
            queue.push(Reverse(Waiting(value((r, c)), order, (r, c))));
            order += 1;
        }
    }
    while let Some(Reverse(Waiting(_, _, (r, c)))) = queue.pop() {
        for dr in -1i64..=1 {
            for dc in -1i64..=1 {
                let (nr, nc) = (r as i64 + dr, c as i64 + dc);
                if nr < 0 || nc < 0 || nr >= rows as i64 || nc >= cols as i64 {
                    continue;
                }
                let n = (nr as usize, nc as usize);
                if mask[n] && labels[n] == 0 {
                    labels[n] = labels[[r, c]];
                    queue.push(Reverse(Waiting(value(n), order, n)));
                    order += 1;
                }
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_basins_meet_at_the_ridge() {
        let image = array![[0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0]];
        let markers = array![[1, 0, 0, 0, 0, 0, 2]];
        let mask = Array2::from_elem((1, 7), true);
        let labels = watershed(&image, &markers, &mask);
        assert_eq!(labels.slice(ndarray::s![0, ..3]).to_vec(), [1, 1, 1]);
        assert_eq!(labels.slice(ndarray::s![0, 4..]).to_vec(), [2, 2, 2]);
    }

    #[test]
    fn pixels_outside_the_mask_stay_unlabelled() {
        let image = Array2::zeros((1, 3));
        let markers = array![[1, 0, 0]];
        let mask = array![[true, false, true]];
        assert_eq!(watershed(&image, &markers, &mask), array![[1, 0, 0]]);
    }
}
