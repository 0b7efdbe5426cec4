//! An RGB raster with just the drawing the figures need, written as PNG.

/// An 8-bit RGB image.
#[derive(Debug, Clone, PartialEq)]
pub struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<[u8; 3]>,
}

/// White, the background of every figure.
pub const WHITE: [u8; 3] = [255, 255, 255];
/// Black, for text and frames.
pub const BLACK: [u8; 3] = [0, 0, 0];

impl Canvas {
    /// A canvas filled with `colour`.
    pub fn new(width: usize, height: usize, colour: [u8; 3]) -> Self {
        Canvas {
            width,
            height,
            pixels: vec![colour; width * height],
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The colour at (x, y).
    pub fn get(&self, x: usize, y: usize) -> [u8; 3] {
        self.pixels[y * self.width + x]
    }

    /// Sets (x, y); outside the canvas is ignored.
    pub fn set(&mut self, x: usize, y: usize, colour: [u8; 3]) {
        if x < self.width && y < self.height {
            self.pixels[y * self.width + x] = colour;
        }
    }

    /// Mixes `colour` into (x, y) by `alpha` (0 keeps the pixel, 1 replaces
    /// it); outside the canvas is ignored.
    pub fn blend(&mut self, x: usize, y: usize, colour: [u8; 3], alpha: f32) {
        if x < self.width && y < self.height {
            let alpha = alpha.clamp(0.0, 1.0);
            let pixel = &mut self.pixels[y * self.width + x];
            for (old, new) in pixel.iter_mut().zip(colour) {
                *old = (f32::from(*old) * (1.0 - alpha) + f32::from(new) * alpha).round() as u8;
            }
        }
    }

    /// Fills a rectangle.
    pub fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.pixels[yy * self.width + xx] = colour;
            }
        }
    }

    /// Draws a 1-px rectangle outline.
    pub fn outline_rect(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        self.fill_rect(x, y, w, 1, colour);
        self.fill_rect(x, y + h.saturating_sub(1), w, 1, colour);
        self.fill_rect(x, y, 1, h, colour);
        self.fill_rect(x + w.saturating_sub(1), y, 1, h, colour);
    }

    /// The image as PNG bytes (8-bit RGB).
    pub fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut png = Vec::new();
        let mut encoder = png::Encoder::new(&mut png, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        let bytes: Vec<u8> = self.pixels.iter().flatten().copied().collect();
        writer.write_image_data(&bytes)?;
        writer.finish()?;
        Ok(png)
    }
}
