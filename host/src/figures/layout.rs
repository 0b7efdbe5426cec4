//! The frame every figure shares: a title, the map upscaled to at least
//! [`MIN_MAP_WIDTH`] pixels with masked pixels in [`MASK_COLOUR`], an optional
//! colour bar with its limits written at the ends, a scale bar when the µm per
//! pixel is known, where anterior and lateral point when that is known, and
//! notes saying how the figure was drawn.

use ndarray::Array2;

use super::canvas::{Canvas, BLACK, WHITE};
use super::font::{draw_text, line_height, text_width};
use super::scale_bar;
use crate::session::Orientation;

/// Space around and between the parts, pixels.
pub const MARGIN: usize = 12;
/// The narrowest a map is drawn, pixels (small maps are upscaled by a whole factor).
pub const MIN_MAP_WIDTH: usize = 400;
/// Masked (low-response) pixels and pixels without a value: mid grey.
pub const MASK_COLOUR: [u8; 3] = [160, 160, 160];
/// Title text size, pixels.
const TITLE_SIZE: f32 = 22.0;
/// Colour-bar and scale-bar label size, pixels.
const LABEL_SIZE: f32 = 16.0;
/// Note text size, pixels.
const NOTE_SIZE: f32 = 13.0;
const BAR_WIDTH: usize = 20;
const BAR_GAP: usize = 16;
/// Thickness of the scale bar, pixels.
const SCALE_BAR_THICKNESS: usize = 5;

/// A colour bar: the values at its bottom and top and the colour at t ∈ 0..=1.
pub type ColourBar<'a> = (f64, f64, &'a dyn Fn(f64) -> [u8; 3]);

/// What a figure shows besides the map.
#[derive(Default, Clone)]
pub struct Decor<'a> {
    /// Pixels drawn in [`MASK_COLOUR`] whatever their value.
    pub mask: Option<&'a Array2<bool>>,
    /// µm of cortex per map pixel: draws a labelled scale bar under the map.
    pub um_per_pixel: Option<f64>,
    /// Where anterior and lateral point: written under the map, at its right.
    pub orientation: Option<Orientation>,
    /// Lines under the map saying how it was drawn.
    pub notes: Vec<String>,
}

/// `anterior ↑  lateral ←`: the words and the arrows pointing their way.
pub fn orientation_label(orientation: Orientation) -> String {
    format!(
        "anterior {}  lateral {}",
        orientation.anterior.arrow(),
        orientation.lateral.arrow()
    )
}

/// The top-left corner of the map and its upscaling factor in a figure of a
/// map `cols` wide.
pub fn map_origin(cols: usize) -> (usize, usize, usize) {
    let scale = (MIN_MAP_WIDTH / cols.max(1)).max(1);
    (MARGIN, MARGIN + line_height(TITLE_SIZE) + MARGIN, scale)
}

/// Draws a figure of a `rows` × `cols` map whose pixel colours `colour_at` gives.
pub fn draw_figure(
    (rows, cols): (usize, usize),
    title: &str,
    colour_at: impl Fn(usize, usize) -> [u8; 3],
    bar: Option<ColourBar<'_>>,
    decor: &Decor<'_>,
) -> Canvas {
    let (x0, y0, scale) = map_origin(cols);
    let (map_w, map_h) = (cols * scale, rows * scale);
    let bar_labels =
        bar.map(|(low, high, _)| [high, (low + high) / 2.0, low].map(|v| format!("{v:.1}")));
    let bar_w = bar_labels.as_ref().map_or(0, |labels| {
        let widest = labels.iter().map(|l| text_width(l, LABEL_SIZE)).max();
        BAR_GAP + BAR_WIDTH + 6 + widest.unwrap_or(0) + 4
    });
    let scale_bar = decor
        .um_per_pixel
        .and_then(|um| scale_bar::length_um(cols, um).map(|len| (len, um)));
    let orientation = decor.orientation.map(orientation_label);
    let under_map = scale_bar.is_some() || orientation.is_some();
    let scale_h = if under_map {
        MARGIN + line_height(LABEL_SIZE)
    } else {
        0
    };
    let note_line = line_height(NOTE_SIZE) + 2;
    let notes_h = if decor.notes.is_empty() {
        0
    } else {
        MARGIN / 2 + decor.notes.len() * note_line
    };
    let widest_note = decor.notes.iter().map(|n| text_width(n, NOTE_SIZE)).max();
    let width = (MARGIN * 2 + map_w + bar_w).max(MARGIN * 2 + widest_note.unwrap_or(0));
    let mut canvas = Canvas::new(width, y0 + map_h + scale_h + notes_h + MARGIN, WHITE);
    draw_text(&mut canvas, title, MARGIN, MARGIN, TITLE_SIZE, BLACK);
    for r in 0..rows {
        for c in 0..cols {
            let colour = match decor.mask {
                Some(mask) if mask[(r, c)] => MASK_COLOUR,
                _ => colour_at(r, c),
            };
            canvas.fill_rect(x0 + c * scale, y0 + r * scale, scale, scale, colour);
        }
    }
    canvas.outline_rect(x0 - 1, y0 - 1, map_w + 2, map_h + 2, BLACK);
    if let (Some((_, _, colour)), Some(labels)) = (bar, bar_labels) {
        let bx = x0 + map_w + BAR_GAP;
        for y in 0..map_h {
            let t = 1.0 - y as f64 / (map_h.max(2) - 1) as f64;
            canvas.fill_rect(bx, y0 + y, BAR_WIDTH, 1, colour(t));
        }
        canvas.outline_rect(bx - 1, y0 - 1, BAR_WIDTH + 2, map_h + 2, BLACK);
        let room = map_h.saturating_sub(line_height(LABEL_SIZE));
        for (label, at) in labels.iter().zip([0, room / 2, room]) {
            draw_text(
                &mut canvas,
                label,
                bx + BAR_WIDTH + 6,
                y0 + at,
                LABEL_SIZE,
                BLACK,
            );
        }
    }
    let mut y = y0 + map_h + MARGIN;
    let row = line_height(LABEL_SIZE);
    if let Some((length_um, um_per_pixel)) = scale_bar {
        let length_px = (length_um / um_per_pixel * scale as f64).round() as usize;
        canvas.fill_rect(
            x0,
            y + (row - SCALE_BAR_THICKNESS) / 2,
            length_px,
            SCALE_BAR_THICKNESS,
            BLACK,
        );
        let label = scale_bar::label(length_um);
        draw_text(
            &mut canvas,
            &label,
            x0 + length_px + 8,
            y,
            LABEL_SIZE,
            BLACK,
        );
    }
    if let Some(label) = &orientation {
        let x = (x0 + map_w).saturating_sub(text_width(label, LABEL_SIZE));
        draw_text(&mut canvas, label, x, y, LABEL_SIZE, BLACK);
    }
    if under_map {
        y += row;
    }
    y += MARGIN / 2;
    for note in &decor.notes {
        draw_text(&mut canvas, note, MARGIN, y, NOTE_SIZE, BLACK);
        y += note_line;
    }
    canvas
}
