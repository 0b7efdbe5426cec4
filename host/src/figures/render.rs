//! Draws the maps onto canvases: a position map over its percentile colour
//! range, the visual field sign, and area borders over the baseline image.

use ndarray::Array2;

use super::canvas::WHITE;
use super::colormap::{grey, red_blue, turbo};
use super::font::{draw_text, line_height, text_width};
use super::layout::{draw_figure, map_origin, Decor, MASK_COLOUR};
use super::levels::{colour_limits, percentile_pair};
use crate::figures::Canvas;

/// A position map (degrees) in Turbo, coloured from the 1st to the 99th
/// percentile of its shown pixels (values beyond take the end colours), those
/// limits written on the colour bar; `decor.mask` greys pixels out.
pub fn render_map(map: &Array2<f64>, title: &str, decor: &Decor<'_>) -> Canvas {
    let (low, high) = colour_limits(map, decor.mask).unwrap_or((0.0, 1.0));
    let span = (high - low).max(f64::EPSILON);
    draw_figure(
        map.dim(),
        title,
        |r, c| {
            let v = map[(r, c)];
            if v.is_finite() {
                turbo((v - low) / span)
            } else {
                MASK_COLOUR
            }
        },
        Some((low, high, &|t| turbo(t))),
        decor,
    )
}

/// The visual field sign: red positive, blue negative, white zero.
pub fn render_sign_map(sign: &Array2<f64>, decor: &Decor<'_>) -> Canvas {
    draw_figure(
        sign.dim(),
        "visual field sign",
        |r, c| {
            let v = sign[(r, c)];
            if v.is_finite() {
                red_blue(v)
            } else {
                MASK_COLOUR
            }
        },
        Some((-1.0, 1.0, &|t| red_blue(2.0 * t - 1.0))),
        decor,
    )
}

/// Area borders (red: positive sign, blue: negative) over the baseline image
/// in grey (1st–99th percentile contrast), each name in `names` written
/// centred on its (row, column).
pub fn render_borders(
    baseline: Option<&Array2<f64>>,
    labels: &Array2<i32>,
    sign: &Array2<f64>,
    names: &[AreaName],
    decor: &Decor<'_>,
) -> Canvas {
    let (rows, cols) = labels.dim();
    let background = baseline.map(|b| resample_nearest(b, rows, cols));
    let (low, high) = background
        .as_ref()
        .and_then(|b| {
            percentile_pair(
                b.iter().copied().filter(|v| v.is_finite()).collect(),
                (0.01, 0.99),
            )
        })
        .unwrap_or((0.0, 1.0));
    let patch_sign = mean_sign_per_label(labels, sign);
    let mut canvas = draw_figure(
        (rows, cols),
        "areas",
        |r, c| {
            let label = labels[(r, c)];
            if label > 0 && is_border(labels, r, c) {
                return if patch_sign.get(&label).copied().unwrap_or(0.0) >= 0.0 {
                    [220, 30, 30]
                } else {
                    [30, 60, 220]
                };
            }
            match &background {
                Some(b) if b[(r, c)].is_finite() => {
                    grey((b[(r, c)] - low) / (high - low).max(f64::EPSILON))
                }
                Some(_) => MASK_COLOUR,
                None => WHITE,
            }
        },
        None,
        decor,
    );
    let (x0, y0, scale) = map_origin(cols);
    for name in names {
        let width = text_width(&name.name, AREA_NAME_SIZE);
        let height = line_height(AREA_NAME_SIZE);
        let x = (x0 as f64 + (name.centroid.1 + 0.5) * scale as f64 - width as f64 / 2.0).max(0.0);
        let y = (y0 as f64 + (name.centroid.0 + 0.5) * scale as f64 - height as f64 / 2.0).max(0.0);
        draw_text(
            &mut canvas,
            &name.name,
            x as usize,
            y as usize,
            AREA_NAME_SIZE,
            [0, 0, 0],
        );
    }
    canvas
}

/// An area's name and where to write it.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaName {
    /// The name (V1, LM, …).
    pub name: String,
    /// (row, column) in map pixels.
    pub centroid: (f64, f64),
}

/// Size of the area names, pixels.
const AREA_NAME_SIZE: f32 = 15.0;

fn resample_nearest(image: &Array2<f64>, rows: usize, cols: usize) -> Array2<f64> {
    let (src_rows, src_cols) = image.dim();
    Array2::from_shape_fn((rows, cols), |(r, c)| {
        image[(r * src_rows / rows, c * src_cols / cols)]
    })
}

fn is_border(labels: &Array2<i32>, r: usize, c: usize) -> bool {
    let (rows, cols) = labels.dim();
    let label = labels[(r, c)];
    let differs = |rr: usize, cc: usize| labels[(rr, cc)] != label;
    r == 0
        || c == 0
        || r + 1 == rows
        || c + 1 == cols
        || differs(r - 1, c)
        || differs(r + 1, c)
        || differs(r, c - 1)
        || differs(r, c + 1)
}

fn mean_sign_per_label(
    labels: &Array2<i32>,
    sign: &Array2<f64>,
) -> std::collections::HashMap<i32, f64> {
    let mut sums: std::collections::HashMap<i32, (f64, usize)> = std::collections::HashMap::new();
    for (label, value) in labels.iter().zip(sign.iter()) {
        if *label > 0 && value.is_finite() {
            let entry = sums.entry(*label).or_default();
            entry.0 += value;
            entry.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(label, (sum, n))| (label, sum / n as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::canvas::BLACK;
    use crate::figures::canvas::WHITE;
    use crate::figures::layout::{map_origin, orientation_label, MARGIN, MIN_MAP_WIDTH};
    use crate::session::{ImageSide, Orientation};

    /// The centre of map pixel (r, c) on the canvas of a map `cols` wide.
    fn centre(cols: usize, r: usize, c: usize) -> (usize, usize) {
        let (x0, y0, scale) = map_origin(cols);
        (x0 + c * scale + scale / 2, y0 + r * scale + scale / 2)
    }

    /// The longest horizontal run of black pixels in rows `from..`, and its row.
    fn longest_black_run(canvas: &Canvas, from: usize) -> usize {
        let mut longest = 0;
        for y in from..canvas.height() {
            let mut run = 0;
            for x in 0..canvas.width() {
                run = if canvas.get(x, y) == BLACK {
                    run + 1
                } else {
                    0
                };
                longest = longest.max(run);
            }
        }
        longest
    }

    #[test]
    fn a_map_is_upscaled_to_at_least_the_minimum_width() {
        let map = Array2::from_shape_fn((10, 20), |(_, c)| c as f64);
        let canvas = render_map(&map, "azimuth (°)", &Decor::default());
        assert!(canvas.width() >= MIN_MAP_WIDTH + 2 * MARGIN);
        assert_eq!(map_origin(20).2, 20);
    }

    #[test]
    fn the_lowest_value_is_drawn_in_the_low_end_of_the_scale() {
        let map = Array2::from_shape_fn((4, 4), |(_, c)| c as f64);
        let canvas = render_map(&map, "", &Decor::default());
        let (x, y) = centre(4, 0, 0);
        assert_eq!(canvas.get(x, y), turbo(0.0));
        let (x, y) = centre(4, 0, 3);
        assert_eq!(canvas.get(x, y), turbo(1.0));
    }

    #[test]
    fn masked_pixels_get_exactly_the_mask_colour() {
        let map = Array2::from_shape_fn((4, 4), |(r, c)| (r * 4 + c) as f64);
        let mask = Array2::from_shape_fn((4, 4), |(r, _)| r == 0);
        let decor = Decor {
            mask: Some(&mask),
            ..Decor::default()
        };
        for canvas in [render_map(&map, "", &decor), render_sign_map(&map, &decor)] {
            for c in 0..4 {
                let (x, y) = centre(4, 0, c);
                assert_eq!(canvas.get(x, y), MASK_COLOUR, "masked pixel (0, {c})");
                let (x, y) = centre(4, 1, c);
                assert_ne!(canvas.get(x, y), MASK_COLOUR, "shown pixel (1, {c})");
            }
        }
    }

    #[test]
    fn a_scale_bar_of_the_round_length_appears_under_the_map_when_um_per_pixel_is_known() {
        // 100 px at 20 µm = 2 mm: the bar is 500 µm = 25 map px = 100 canvas px (scale 4).
        let map = Array2::from_elem((100, 100), 1.0);
        let below_map = map_origin(100).1 + 100 * 4 + 1;
        let with = render_map(
            &map,
            "",
            &Decor {
                um_per_pixel: Some(20.0),
                ..Decor::default()
            },
        );
        assert_eq!(longest_black_run(&with, below_map), 100);
        let without = render_map(&map, "", &Decor::default());
        assert_eq!(longest_black_run(&without, below_map), 0);
    }

    #[test]
    fn the_orientation_is_written_under_the_map_at_its_right_when_known() {
        let map = Array2::from_elem((100, 100), 1.0);
        let (x0, y0, scale) = map_origin(100);
        let (right, below_map) = (x0 + 100 * scale, y0 + 100 * scale + 1);
        let inked_under_right_half = |canvas: &Canvas| {
            (below_map..canvas.height())
                .flat_map(|y| (x0 + 50 * scale..right).map(move |x| (x, y)))
                .filter(|&(x, y)| canvas.get(x, y) != WHITE)
                .count()
        };
        let orientation = Orientation {
            anterior: ImageSide::Up,
            lateral: ImageSide::Left,
        };
        let with = render_map(
            &map,
            "",
            &Decor {
                orientation: Some(orientation),
                ..Decor::default()
            },
        );
        assert!(inked_under_right_half(&with) > 100);
        assert_eq!(
            inked_under_right_half(&render_map(&map, "", &Decor::default())),
            0
        );
        assert_eq!(orientation_label(orientation), "anterior ↑  lateral ←");
    }

    #[test]
    fn the_title_is_drawn_above_the_map() {
        let map = Array2::from_elem((4, 4), 1.0);
        let canvas = render_map(&map, "altitude (°)", &Decor::default());
        let (_, y0, _) = map_origin(4);
        let inked = (0..y0 - 1)
            .flat_map(|y| (0..canvas.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| canvas.get(x, y) != WHITE)
            .count();
        assert!(inked > 100, "only {inked} inked pixels in the title band");
    }

    #[test]
    fn borders_take_the_colour_of_their_patch_sign() {
        let mut labels = Array2::zeros((9, 9));
        labels.slice_mut(ndarray::s![2..7, 2..7]).fill(1);
        let sign = Array2::from_elem((9, 9), -0.8);
        let canvas = render_borders(None, &labels, &sign, &[], &Decor::default());
        let (x, y) = centre(9, 4, 2);
        assert_eq!(
            canvas.get(x, y),
            [30, 60, 220],
            "left edge of a negative patch is blue"
        );
        let (x, y) = centre(9, 4, 4);
        assert_eq!(canvas.get(x, y), WHITE, "inside is the background");
    }
}
