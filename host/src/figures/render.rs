//! Draws the maps onto canvases: the map, a title and a labelled colour bar.

use ndarray::Array2;

use super::canvas::{Canvas, BLACK, WHITE};
use super::colormap::{grey, red_blue, turbo};
use super::font::{draw_text, line_height, text_width};

const MARGIN: usize = 12;
/// Title text size, pixels.
const TITLE_SIZE: f32 = 22.0;
/// Colour-bar label size, pixels.
const LABEL_SIZE: f32 = 16.0;
const BAR_WIDTH: usize = 20;
const BAR_GAP: usize = 16;
const MIN_MAP_WIDTH: usize = 400;
const NAN_COLOUR: [u8; 3] = [200, 200, 200];

/// A position map (degrees) in Turbo with a colour bar from its finite min to max.
pub fn render_map(map: &Array2<f64>, title: &str) -> Canvas {
    let (low, high) = finite_range(map.iter().copied()).unwrap_or((0.0, 1.0));
    let span = (high - low).max(f64::EPSILON);
    draw_figure(
        map.dim(),
        title,
        |r, c| {
            let v = map[(r, c)];
            if v.is_finite() {
                turbo((v - low) / span)
            } else {
                NAN_COLOUR
            }
        },
        Some((low, high, &|t| turbo(t))),
    )
}

/// The visual field sign: red positive, blue negative, white zero.
pub fn render_sign_map(sign: &Array2<f64>) -> Canvas {
    draw_figure(
        sign.dim(),
        "visual field sign",
        |r, c| {
            let v = sign[(r, c)];
            if v.is_finite() {
                red_blue(v)
            } else {
                NAN_COLOUR
            }
        },
        Some((-1.0, 1.0, &|t| red_blue(2.0 * t - 1.0))),
    )
}

/// Area borders (red: positive sign, blue: negative) over the baseline image in grey.
pub fn render_borders(
    baseline: Option<&Array2<f64>>,
    labels: &Array2<i32>,
    sign: &Array2<f64>,
) -> Canvas {
    let (rows, cols) = labels.dim();
    let background = baseline.map(|b| resample_nearest(b, rows, cols));
    let (low, high) = background
        .as_ref()
        .and_then(|b| percentile_range(b, 0.01, 0.99))
        .unwrap_or((0.0, 1.0));
    let patch_sign = mean_sign_per_label(labels, sign);
    draw_figure(
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
                Some(_) => NAN_COLOUR,
                None => WHITE,
            }
        },
        None,
    )
}

type ColourBar<'a> = (f64, f64, &'a dyn Fn(f64) -> [u8; 3]);

fn draw_figure(
    (rows, cols): (usize, usize),
    title: &str,
    colour_at: impl Fn(usize, usize) -> [u8; 3],
    bar: Option<ColourBar<'_>>,
) -> Canvas {
    let scale = (MIN_MAP_WIDTH / cols.max(1)).max(1);
    let (map_w, map_h) = (cols * scale, rows * scale);
    let title_h = line_height(TITLE_SIZE) + MARGIN;
    let label_w = text_width("-000.0", LABEL_SIZE);
    let bar_w = if bar.is_some() {
        BAR_GAP + BAR_WIDTH + 6 + label_w
    } else {
        0
    };
    let mut canvas = Canvas::new(
        MARGIN * 2 + map_w + bar_w,
        MARGIN * 2 + title_h + map_h,
        WHITE,
    );
    draw_text(&mut canvas, title, MARGIN, MARGIN, TITLE_SIZE, BLACK);
    let (x0, y0) = (MARGIN, MARGIN + title_h);
    for r in 0..rows {
        for c in 0..cols {
            canvas.fill_rect(
                x0 + c * scale,
                y0 + r * scale,
                scale,
                scale,
                colour_at(r, c),
            );
        }
    }
    canvas.outline_rect(
        x0.saturating_sub(1),
        y0.saturating_sub(1),
        map_w + 2,
        map_h + 2,
        BLACK,
    );
    if let Some((low, high, colour)) = bar {
        let bx = x0 + map_w + BAR_GAP;
        for y in 0..map_h {
            let t = 1.0 - y as f64 / (map_h.max(2) - 1) as f64;
            canvas.fill_rect(bx, y0 + y, BAR_WIDTH, 1, colour(t));
        }
        canvas.outline_rect(bx - 1, y0 - 1, BAR_WIDTH + 2, map_h + 2, BLACK);
        for (t, value) in [(1.0, high), (0.5, (low + high) / 2.0), (0.0, low)] {
            let y = y0 + ((1.0 - t) * (map_h as f64 - line_height(LABEL_SIZE) as f64)) as usize;
            draw_text(
                &mut canvas,
                &format!("{value:.1}"),
                bx + BAR_WIDTH + 6,
                y,
                LABEL_SIZE,
                BLACK,
            );
        }
    }
    canvas
}

fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

fn percentile_range(image: &Array2<f64>, low: f64, high: f64) -> Option<(f64, f64)> {
    let mut values: Vec<f64> = image.iter().copied().filter(|v| v.is_finite()).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(low), at(high)))
}

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

    #[test]
    fn a_map_is_upscaled_to_at_least_the_minimum_width_and_framed_with_a_colour_bar() {
        let map = Array2::from_shape_fn((10, 20), |(_, c)| c as f64);
        let canvas = render_map(&map, "azimuth (deg)");
        assert!(canvas.width() >= MIN_MAP_WIDTH + 2 * MARGIN + BAR_GAP + BAR_WIDTH);
    }

    #[test]
    fn the_lowest_value_is_drawn_in_the_low_end_of_the_scale() {
        let map = Array2::from_shape_fn((4, 4), |(_, c)| c as f64);
        let canvas = render_map(&map, "");
        let scale = MIN_MAP_WIDTH / 4;
        let top = MARGIN + line_height(TITLE_SIZE) + MARGIN;
        assert_eq!(canvas.get(MARGIN + scale / 2, top + scale / 2), turbo(0.0));
        assert_eq!(
            canvas.get(MARGIN + 3 * scale + scale / 2, top + scale / 2),
            turbo(1.0)
        );
    }

    #[test]
    fn borders_take_the_colour_of_their_patch_sign() {
        let mut labels = Array2::zeros((9, 9));
        labels.slice_mut(ndarray::s![2..7, 2..7]).fill(1);
        let sign = Array2::from_elem((9, 9), -0.8);
        let canvas = render_borders(None, &labels, &sign);
        let scale = MIN_MAP_WIDTH / 9;
        let top = MARGIN + line_height(TITLE_SIZE) + MARGIN;
        assert_eq!(
            canvas.get(MARGIN + 2 * scale, top + 4 * scale),
            [30, 60, 220],
            "left edge of a negative patch is blue"
        );
        assert_eq!(
            canvas.get(MARGIN + 4 * scale, top + 4 * scale),
            WHITE,
            "inside is the background"
        );
    }
}
