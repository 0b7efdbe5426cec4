//! Figure text rasterised by `ab_glyph` from an embedded DejaVu Sans (see
//! `fonts/DejaVuSans-LICENSE.txt`), so a figure comes out the same on every
//! platform: no system font is ever looked up.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

use super::canvas::Canvas;

/// The embedded font file (DejaVu Sans 2.37, unmodified).
const DEJAVU_SANS: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");

/// The parsed embedded font.
fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(DEJAVU_SANS).expect("the embedded DejaVu Sans is a valid font")
    })
}

/// Height in pixels of a line of text at `size` pixels (ascent + descent, rounded up).
pub fn line_height(size: f32) -> usize {
    let scaled = font().as_scaled(PxScale::from(size));
    (scaled.ascent() - scaled.descent()).ceil() as usize
}

/// Width in pixels of `text` at `size` pixels (advances and kerning, rounded up).
pub fn text_width(text: &str, size: f32) -> usize {
    let scaled = font().as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = previous {
            width += scaled.kern(prev, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width.ceil() as usize
}

/// Draws `text` at `size` pixels with the top of its line box at (x, y),
/// blending `colour` over the canvas by each pixel's glyph coverage.
pub fn draw_text(canvas: &mut Canvas, text: &str, x: usize, y: usize, size: f32, colour: [u8; 3]) {
    let scaled = font().as_scaled(PxScale::from(size));
    let baseline = y as f32 + scaled.ascent();
    let mut pen = x as f32;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = previous {
            pen += scaled.kern(prev, id);
        }
        let glyph = id.with_scale_and_position(scaled.scale(), ab_glyph::point(pen, baseline));
        pen += scaled.h_advance(id);
        previous = Some(id);
        let Some(outline) = font().outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if px >= 0 && py >= 0 {
                canvas.blend(px as usize, py as usize, colour, coverage);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::canvas::WHITE;

    #[test]
    fn a_label_leaves_ink_inside_its_box_and_none_outside() {
        let mut canvas = Canvas::new(200, 60, WHITE);
        let (x, y, size) = (10, 10, 20.0);
        draw_text(&mut canvas, "azimuth (°)", x, y, size, [0, 0, 0]);
        let (w, h) = (text_width("azimuth (°)", size), line_height(size));
        let mut inside = 0;
        for py in 0..canvas.height() {
            for px in 0..canvas.width() {
                let in_box = (x..x + w).contains(&px) && (y..y + h).contains(&py);
                if canvas.get(px, py) != WHITE {
                    assert!(in_box, "ink at ({px}, {py}) is outside the label's box");
                    inside += 1;
                }
            }
        }
        assert!(inside > 100, "only {inside} inked pixels");
    }

    #[test]
    fn a_wider_text_measures_wider() {
        assert!(text_width("-10.0", 16.0) > text_width("0.0", 16.0));
        assert_eq!(text_width("", 16.0), 0);
    }
}
