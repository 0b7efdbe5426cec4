//! Chunk compression exactly as HDF5's standard filters would do it: the
//! byte shuffle (filter 2) then deflate as a zlib stream (filter 1). Done with
//! libdeflater on the sink's worker threads, outside the HDF5 lock, so h5py
//! and h5dump decompress the chunks with their own stock filters.

use std::cell::RefCell;

use libdeflater::{CompressionLvl, Compressor};

/// Byte-shuffles `data` (elements of `element_size` bytes) into `out`: all
/// first bytes, then all second bytes, ... HDF5 leaves a trailing partial
/// element, and buffers of one element or less, unshuffled.
pub fn shuffle(data: &[u8], element_size: usize, out: &mut Vec<u8>) {
    out.clear();
    if element_size <= 1 || data.len() <= element_size {
        out.extend_from_slice(data);
        return;
    }
    let count = data.len() / element_size;
    out.resize(data.len(), 0);
    // One sequential pass over the input, the common sizes unrolled so the
    // compiler can vectorise them.
    match element_size {
        2 => scatter::<2>(data, out, count),
        4 => scatter::<4>(data, out, count),
        8 => scatter::<8>(data, out, count),
        _ => {
            for (i, element) in data.chunks_exact(element_size).enumerate() {
                for (byte, &value) in element.iter().enumerate() {
                    out[byte * count + i] = value;
                }
            }
        }
    }
    let tail = count * element_size;
    out[tail..].copy_from_slice(&data[tail..]);
}

fn scatter<const N: usize>(data: &[u8], out: &mut [u8], count: usize) {
    let (planes, _) = out.split_at_mut(count * N);
    let mut planes: Vec<&mut [u8]> = planes.chunks_exact_mut(count).collect();
    for (i, element) in data.chunks_exact(N).enumerate() {
        for byte in 0..N {
            planes[byte][i] = element[byte];
        }
    }
}

thread_local! {
    /// One compressor per worker thread and level (libdeflate allocates ~100s of KB each).
    static COMPRESSORS: RefCell<Vec<(i32, Compressor)>> = const { RefCell::new(Vec::new()) };
    static SHUFFLED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// Room for the worst case; reused so each chunk does not fault in fresh pages.
    static COMPRESSED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Shuffles then zlib-compresses one chunk at `level` (0-12, libdeflate's scale;
/// 1-9 mean what they mean for zlib).
pub fn compress_chunk(data: &[u8], element_size: usize, level: u32) -> Vec<u8> {
    let level = level.min(12) as i32;
    SHUFFLED.with(|shuffled| {
        let mut shuffled = shuffled.borrow_mut();
        shuffle(data, element_size, &mut shuffled);
        COMPRESSORS.with(|compressors| {
            let mut compressors = compressors.borrow_mut();
            let index = match compressors.iter().position(|(l, _)| *l == level) {
                Some(index) => index,
                None => {
                    let lvl =
                        CompressionLvl::new(level).expect("level clamped to libdeflate's 0-12");
                    compressors.push((level, Compressor::new(lvl)));
                    compressors.len() - 1
                }
            };
            let compressor = &mut compressors[index].1;
            COMPRESSED.with(|out| {
                let mut out = out.borrow_mut();
                let bound = compressor.zlib_compress_bound(shuffled.len());
                if out.len() < bound {
                    out.resize(bound, 0);
                }
                let written = compressor
                    .zlib_compress(&shuffled, &mut out)
                    .expect("the output buffer has the bound libdeflate asked for");
                out[..written].to_vec()
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_groups_bytes_by_position_in_the_element() {
        let mut out = Vec::new();
        shuffle(&[1, 2, 3, 4, 5, 6], 2, &mut out);
        assert_eq!(out, [1, 3, 5, 2, 4, 6]);
    }

    #[test]
    fn shuffle_keeps_a_trailing_partial_element_in_place() {
        let mut out = Vec::new();
        shuffle(&[1, 2, 3, 4, 9], 2, &mut out);
        assert_eq!(out, [1, 3, 2, 4, 9]);
    }

    #[test]
    fn wide_elements_shuffle_like_narrow_ones() {
        let data: Vec<u8> = (0..24).collect();
        for size in [3, 4, 8] {
            let mut out = Vec::new();
            shuffle(&data, size, &mut out);
            let count = data.len() / size;
            let expected: Vec<u8> = (0..size)
                .flat_map(|b| (0..count).map(move |i| (i * size + b) as u8))
                .collect();
            assert_eq!(out, expected, "element size {size}");
        }
    }

    #[test]
    fn single_byte_elements_are_not_shuffled() {
        let mut out = Vec::new();
        shuffle(&[5, 6, 7], 1, &mut out);
        assert_eq!(out, [5, 6, 7]);
    }

    #[test]
    fn compressed_chunk_is_a_zlib_stream_of_the_shuffled_bytes() {
        let data: Vec<u8> = (0..4000u32)
            .flat_map(|v| (v as u16).to_le_bytes())
            .collect();
        let compressed = compress_chunk(&data, 2, 4);
        let mut shuffled = Vec::new();
        shuffle(&data, 2, &mut shuffled);
        let mut back = vec![0; data.len()];
        let n = libdeflater::Decompressor::new()
            .zlib_decompress(&compressed, &mut back)
            .unwrap();
        assert_eq!(n, data.len());
        assert_eq!(back, shuffled);
    }
}
