//! Frame rendering: grey everywhere, a checkered bar where |angle − centre| ≤ w/2, and the
//! photodiode patch in its corner. Frames of a batch render in parallel with rayon.
//!
//! Speed comes from doing almost nothing per pixel. The checkerboard of both polarities is
//! precomputed once (check index (⌊az/s⌋ + ⌊alt/s⌋) mod 2 does not depend on time), the bar's
//! columns on each row come from [`Footprint`] in closed form, and a frame is written once, row by
//! row: grey runs and copies of the precomputed checker row.

use std::ops::Range;

use rayon::prelude::*;

use crate::footprint::Footprint;
use crate::geometry::SampleGrid;
use crate::params::{Corner, Params};
use crate::schedule::FrameState;

/// The three pixel values of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    /// Background: round(255 · background).
    pub grey: u8,
    /// Light checks: round(255 · background · (1 + contrast)), clamped to 255.
    pub light: u8,
    /// Dark checks: round(255 · background · (1 − contrast)), clamped to 0.
    pub dark: u8,
}

impl Levels {
    /// The levels of a background fraction and a Michelson contrast.
    pub fn new(background: f64, contrast: f64) -> Self {
        let level = |fraction: f64| (255.0 * fraction.clamp(0.0, 1.0)).round() as u8;
        Levels {
            grey: level(background),
            light: level(background * (1.0 + contrast)),
            dark: level(background * (1.0 - contrast)),
        }
    }
}

/// The photodiode patch: a square in one corner of the stored frame.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Patch {
    rows: Range<usize>,
    cols: Range<usize>,
}

impl Patch {
    /// `size_px` display pixels in `corner` of a `width × height` stored frame; `None` if size 0.
    fn new(
        size_px: u32,
        downsample: u32,
        corner: Corner,
        width: usize,
        height: usize,
    ) -> Option<Self> {
        if size_px == 0 {
            return None;
        }
        let side = size_px.div_ceil(downsample) as usize;
        let (rows_h, cols_w) = (side.min(height), side.min(width));
        let rows = match corner {
            Corner::TopLeft | Corner::TopRight => 0..rows_h,
            Corner::BottomLeft | Corner::BottomRight => height - rows_h..height,
        };
        let cols = match corner {
            Corner::TopLeft | Corner::BottomLeft => 0..cols_w,
            Corner::TopRight | Corner::BottomRight => width - cols_w..width,
        };
        Some(Patch { rows, cols })
    }
}

/// Renders frames of one stimulus; immutable after construction, shared by rayon workers.
#[derive(Debug, Clone)]
pub struct Renderer {
    grid: SampleGrid,
    /// Checker values for polarity +1 (index 0) and −1 (index 1), row-major `height × width`.
    checks: [Vec<u8>; 2],
    grey: u8,
    half_width_deg: f64,
    patch: Option<Patch>,
}

impl Renderer {
    /// A renderer over `grid` with the looks `params` ask for.
    ///
    /// A check with even index is light at polarity +1 and dark at polarity −1.
    pub fn new(grid: SampleGrid, params: &Params) -> Self {
        let levels = Levels::new(params.background, params.contrast);
        let s = params.check_size_deg;
        let (width, height) = (grid.width(), grid.height());
        let even: Vec<bool> = (0..width * height)
            .into_par_iter()
            .map(|i| {
                let angle = grid.angle(i % width, i / width);
                let index =
                    (angle.azimuth / s).floor() as i64 + (angle.altitude / s).floor() as i64;
                index.rem_euclid(2) == 0
            })
            .collect();
        let paint = |even_value: u8, odd_value: u8| -> Vec<u8> {
            even.par_iter()
                .map(|&e| if e { even_value } else { odd_value })
                .collect()
        };
        let checks = [
            paint(levels.light, levels.dark),
            paint(levels.dark, levels.light),
        ];
        let patch = Patch::new(
            params.indicator_size_px,
            params.downsample,
            params.indicator_corner,
            width,
            height,
        );
        Renderer {
            checks,
            grey: levels.grey,
            half_width_deg: params.bar_width_deg / 2.0,
            patch,
            grid,
        }
    }

    /// Stored frame width (px).
    pub fn width(&self) -> usize {
        self.grid.width()
    }

    /// Stored frame height (px).
    pub fn height(&self) -> usize {
        self.grid.height()
    }

    /// Renders the frames of `states` in parallel, in order.
    ///
    /// The buffers are allocated on the calling thread, so they all come from (and return to) one
    /// allocator arena however many workers render them.
    pub fn render_batch(&self, states: &[FrameState]) -> Vec<Vec<u8>> {
        let len = self.width() * self.height();
        let mut frames: Vec<Vec<u8>> = states.iter().map(|_| Vec::with_capacity(len)).collect();
        frames
            .par_iter_mut()
            .zip(states.par_iter())
            .for_each(|(frame, state)| self.render_into(state, frame));
        frames
    }

    /// Renders one frame, row-major `height × width`.
    pub fn render(&self, state: &FrameState) -> Vec<u8> {
        let mut frame = Vec::with_capacity(self.width() * self.height());
        self.render_into(state, &mut frame);
        frame
    }

    /// Renders one frame into `frame`, replacing what it held (no reallocation if its capacity suffices).
    pub fn render_into(&self, state: &FrameState, frame: &mut Vec<u8>) {
        let (width, height) = (self.width(), self.height());
        frame.clear();
        match &state.bar {
            None => frame.resize(width * height, self.grey),
            Some(bar) => {
                let centre = bar.centre_deg;
                let footprint = Footprint::new(
                    &self.grid,
                    bar.direction.axis(),
                    centre - self.half_width_deg,
                    centre + self.half_width_deg,
                );
                let checks = &self.checks[usize::from(state.polarity < 0)];
                for r in 0..height {
                    let check_row = &checks[r * width..(r + 1) * width];
                    let mut col = 0;
                    for lit in footprint.row(r) {
                        if lit.is_empty() {
                            continue;
                        }
                        frame.resize(frame.len() + (lit.start - col), self.grey);
                        frame.extend_from_slice(&check_row[lit.clone()]);
                        col = lit.end;
                    }
                    frame.resize(frame.len() + (width - col), self.grey);
                }
            }
        }
        if let Some(patch) = &self.patch {
            for r in patch.rows.clone() {
                frame[r * width + patch.cols.start..r * width + patch.cols.end]
                    .fill(state.indicator);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_levels_are_black_grey_white() {
        assert_eq!(
            Levels::new(0.5, 1.0),
            Levels {
                grey: 128,
                light: 255,
                dark: 0
            }
        );
    }

    #[test]
    fn half_contrast_levels_sit_a_quarter_scale_around_grey() {
        // 255 · 0.5 · 1.5 = 191.25 and 255 · 0.5 · 0.5 = 63.75.
        assert_eq!(
            Levels::new(0.5, 0.5),
            Levels {
                grey: 128,
                light: 191,
                dark: 64
            }
        );
    }

    #[test]
    fn patch_in_the_bottom_right_corner_scales_with_downsample() {
        let patch = Patch::new(10, 4, Corner::BottomRight, 20, 12).unwrap();
        assert_eq!(
            patch,
            Patch {
                rows: 9..12,
                cols: 17..20
            }
        );
    }
}
