//! Spatial binning: each frame's non-overlapping `bin × bin` blocks averaged into one pixel.
//!
//! Edge rows and columns that do not fill a block are dropped, as most ISI
//! code does, so a `H × W` frame gives `H / bin × W / bin` pixels (rounded
//! down). Each block is summed exactly in `u32` and divided once in `f32`,
//! so a bin of up to 16 (256 values of at most 65535) rounds only in the
//! division, at 6e-8 of the value.

/// How camera frames are binned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binning {
    bin: usize,
    in_width: usize,
    height: usize,
    width: usize,
}

impl Binning {
    /// Binning `in_height × in_width` frames by `bin` (≥ 1) pixels per side.
    pub fn new(bin: usize, in_height: usize, in_width: usize) -> Self {
        assert!(bin >= 1, "a bin is at least one pixel");
        Binning {
            bin,
            in_width,
            height: in_height / bin,
            width: in_width / bin,
        }
    }

    /// Camera pixels per side of one binned pixel.
    pub fn bin(&self) -> usize {
        self.bin
    }

    /// Rows of a binned frame.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Columns of a binned frame.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Pixels of a binned frame.
    pub fn pixels(&self) -> usize {
        self.height * self.width
    }

    /// Writes the block means of `frame` (row-major, `in_height × in_width`) into `out`.
    pub fn bin_frame(&self, frame: &[u16], out: &mut Vec<f32>) {
        let (bin, in_width) = (self.bin, self.in_width);
        let area = (bin * bin) as f32;
        let mut sums = vec![0u32; self.width];
        out.clear();
        out.reserve(self.pixels());
        for block_row in 0..self.height {
            sums.fill(0);
            let rows = &frame[block_row * bin * in_width..][..bin * in_width];
            for row in rows.chunks_exact(in_width) {
                for (sum, block) in sums.iter_mut().zip(row.chunks_exact(bin)) {
                    *sum += block.iter().map(|&v| u32::from(v)).sum::<u32>();
                }
            }
            out.extend(sums.iter().map(|&s| s as f32 / area));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_averaged_and_edge_rows_and_columns_dropped() {
        // 5 × 7 frame, value = 10·row + col; bin 2 gives 2 × 3 blocks.
        let frame: Vec<u16> = (0..5)
            .flat_map(|r| (0..7).map(move |c| 10 * r + c))
            .collect();
        let binning = Binning::new(2, 5, 7);
        let mut out = Vec::new();
        binning.bin_frame(&frame, &mut out);
        assert_eq!((binning.height(), binning.width()), (2, 3));
        assert_eq!(out, vec![5.5, 7.5, 9.5, 25.5, 27.5, 29.5]);
    }

    #[test]
    fn a_bin_of_one_keeps_every_value() {
        let frame: Vec<u16> = vec![1, 65535, 3, 4, 0, 6];
        let mut out = Vec::new();
        Binning::new(1, 2, 3).bin_frame(&frame, &mut out);
        assert_eq!(out, vec![1.0, 65535.0, 3.0, 4.0, 0.0, 6.0]);
    }

    #[test]
    fn the_largest_bin_of_saturated_pixels_is_exact() {
        let frame = vec![u16::MAX; 16 * 16];
        let mut out = Vec::new();
        Binning::new(16, 16, 16).bin_frame(&frame, &mut out);
        assert_eq!(out, vec![65535.0]);
    }
}
