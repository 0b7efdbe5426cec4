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

/// A byte plane is compressed only if a sample of it shrinks by at least
/// this fraction (3 %); otherwise it is stored as it is.
const WORTH_COMPRESSING: f64 = 0.03;
/// Sample windows per plane, spread evenly over it.
const SAMPLE_WINDOWS: usize = 8;
/// Bytes per sample window: a 64th of the plane, within these bounds (so a
/// 1 MiB plane is judged on 32 KiB, 3 % of the work of compressing it).
const SAMPLE_WINDOW_BYTES: std::ops::RangeInclusive<usize> = 512..=4096;
/// Deflate's largest stored block.
const STORED_BLOCK_BYTES: usize = 65_535;

/// Shuffles then zlib-compresses one chunk at `level` (0-12, libdeflate's scale;
/// 1-9 mean what they mean for zlib).
///
/// The leading byte planes that deflate cannot shrink — the low bytes of a
/// camera's 12-bit counts are mostly shot noise — go into the stream as
/// deflate *stored* blocks instead of through the compressor, and the rest
/// is compressed after them as usual. Any inflater reads the result (stored
/// blocks are part of deflate); for camera frames it halves the CPU time at
/// no cost in size. A plane counts as incompressible when a sample of it
/// (8 windows of up to 4 KiB) shrinks by less than 3 %.
pub fn compress_chunk(data: &[u8], element_size: usize, level: u32) -> Vec<u8> {
    let level = level.min(12) as i32;
    SHUFFLED.with(|shuffled| {
        let mut shuffled = shuffled.borrow_mut();
        shuffle(data, element_size, &mut shuffled);
        with_compressor(level, |compressor| {
            COMPRESSED.with(|out| {
                let mut out = out.borrow_mut();
                let stored = incompressible_prefix(&shuffled, element_size, compressor, &mut out);
                zlib_stream(&shuffled, stored, compressor, &mut out)
            })
        })
    })
}

/// Runs `work` with this thread's compressor for `level`.
fn with_compressor<T>(level: i32, work: impl FnOnce(&mut Compressor) -> T) -> T {
    COMPRESSORS.with(|compressors| {
        let mut compressors = compressors.borrow_mut();
        let index = match compressors.iter().position(|(l, _)| *l == level) {
            Some(index) => index,
            None => {
                let lvl = CompressionLvl::new(level).expect("level clamped to libdeflate's 0-12");
                compressors.push((level, Compressor::new(lvl)));
                compressors.len() - 1
            }
        };
        work(&mut compressors[index].1)
    })
}

/// Bytes at the start of `shuffled` to store rather than compress: the
/// leading byte planes whose samples do not shrink (all of it if none does).
fn incompressible_prefix(
    shuffled: &[u8],
    element_size: usize,
    compressor: &mut Compressor,
    scratch: &mut Vec<u8>,
) -> usize {
    let planes = if element_size > 1 && shuffled.len() > element_size {
        element_size
    } else {
        1
    };
    let plane_bytes = shuffled.len() / planes;
    let stored_planes = (0..planes)
        .take_while(|&p| {
            let plane = &shuffled[p * plane_bytes..(p + 1) * plane_bytes];
            !worth_compressing(plane, compressor, scratch)
        })
        .count();
    if stored_planes == planes {
        shuffled.len()
    } else {
        stored_planes * plane_bytes
    }
}

/// Whether a sample of `plane` shrinks by at least [`WORTH_COMPRESSING`].
fn worth_compressing(plane: &[u8], compressor: &mut Compressor, scratch: &mut Vec<u8>) -> bool {
    let window = (plane.len() / 64).clamp(*SAMPLE_WINDOW_BYTES.start(), *SAMPLE_WINDOW_BYTES.end());
    let sample: Vec<u8> = if plane.len() <= SAMPLE_WINDOWS * window {
        plane.to_vec()
    } else {
        let stride = plane.len() / SAMPLE_WINDOWS;
        (0..SAMPLE_WINDOWS)
            .flat_map(|w| &plane[w * stride..w * stride + window])
            .copied()
            .collect()
    };
    if sample.is_empty() {
        return false;
    }
    let compressed = deflate_into(&sample, compressor, scratch);
    (compressed as f64) < sample.len() as f64 * (1.0 - WORTH_COMPRESSING)
}

/// Raw-deflates `data` into `scratch`; returns the length.
fn deflate_into(data: &[u8], compressor: &mut Compressor, scratch: &mut Vec<u8>) -> usize {
    let bound = compressor.deflate_compress_bound(data.len());
    if scratch.len() < bound {
        scratch.resize(bound, 0);
    }
    compressor
        .deflate_compress(data, scratch)
        .expect("the output buffer has the bound libdeflate asked for")
}

/// The zlib stream (RFC 1950) of `shuffled`: its first `stored` bytes in
/// stored blocks, the rest compressed, then the Adler-32 of all of it.
fn zlib_stream(
    shuffled: &[u8],
    stored: usize,
    compressor: &mut Compressor,
    scratch: &mut Vec<u8>,
) -> Vec<u8> {
    let (raw, rest) = shuffled.split_at(stored);
    let mut stream = Vec::with_capacity(raw.len() + raw.len() / STORED_BLOCK_BYTES * 5 + 16);
    // CMF: deflate with a 32 KiB window; FLG: the check bits, "fastest".
    stream.extend_from_slice(&[0x78, 0x01]);
    push_stored_blocks(raw, rest.is_empty(), &mut stream);
    if !rest.is_empty() {
        let compressed = deflate_into(rest, compressor, scratch);
        stream.extend_from_slice(&scratch[..compressed]);
    }
    stream.extend_from_slice(&libdeflater::adler32(shuffled).to_be_bytes());
    stream
}

/// Appends `data` as deflate stored blocks (RFC 1951 §3.2.4), the last one
/// marked final if `last`. Each starts byte-aligned and leaves the stream
/// byte-aligned, so compressed blocks can follow.
fn push_stored_blocks(data: &[u8], last: bool, stream: &mut Vec<u8>) {
    if data.is_empty() {
        if last {
            stream.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
        }
        return;
    }
    let count = data.len().div_ceil(STORED_BLOCK_BYTES);
    for (i, block) in data.chunks(STORED_BLOCK_BYTES).enumerate() {
        // Header bits: BFINAL, then BTYPE = 00 (stored), padded to the byte.
        stream.push(u8::from(last && i + 1 == count));
        let len = block.len() as u16;
        stream.extend_from_slice(&len.to_le_bytes());
        stream.extend_from_slice(&(!len).to_le_bytes());
        stream.extend_from_slice(block);
    }
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

    /// Camera-like u16 frame: a smooth field of 1200-3000 counts plus noise
    /// of σ ≈ 30 (deterministic), `side` × `side`.
    fn camera_frame(side: usize) -> Vec<u8> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut noise = || {
            // Sum of 12 uniforms: close to normal, σ = 1.
            (0..12)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 11) as f64 / (1u64 << 53) as f64
                })
                .sum::<f64>()
                - 6.0
        };
        (0..side * side)
            .flat_map(|i| {
                let (r, c) = ((i / side) as f64, (i % side) as f64);
                let counts = 1200.0 + 1800.0 * (r + c) / (2.0 * side as f64) + 30.0 * noise();
                (counts.round() as u16).to_le_bytes()
            })
            .collect()
    }

    fn inflated(stream: &[u8], len: usize) -> Vec<u8> {
        let mut back = vec![0; len];
        let n = libdeflater::Decompressor::new()
            .zlib_decompress(stream, &mut back)
            .unwrap();
        assert_eq!(n, len);
        back
    }

    #[test]
    fn a_camera_frame_stores_its_noisy_low_bytes_and_compresses_the_high_ones() {
        let frame = camera_frame(512);
        let stream = compress_chunk(&frame, 2, 1);
        let mut shuffled = Vec::new();
        shuffle(&frame, 2, &mut shuffled);
        assert_eq!(inflated(&stream, frame.len()), shuffled);
        // The low-byte plane is stored whole, right after the zlib header.
        assert_eq!(stream[2], 0, "a stored, non-final block comes first");
        assert_eq!(&stream[7..7 + 1000], &shuffled[..1000]);
        assert!(stream.len() > frame.len() / 2);
        assert!(
            stream.len() < frame.len() * 6 / 10,
            "{} bytes",
            stream.len()
        );
    }

    #[test]
    fn a_chunk_whose_every_plane_shrinks_is_one_ordinary_compressed_stream() {
        let smooth: Vec<u8> = (0..100_000u32)
            .flat_map(|v| ((v / 64) as u16).to_le_bytes())
            .collect();
        let stream = compress_chunk(&smooth, 2, 1);
        let mut shuffled = Vec::new();
        shuffle(&smooth, 2, &mut shuffled);
        let mut zlib = vec![0; 300_000];
        let n = Compressor::new(CompressionLvl::new(1).unwrap())
            .zlib_compress(&shuffled, &mut zlib)
            .unwrap();
        assert_eq!(stream[2..stream.len() - 4], zlib[2..n - 4]);
        assert_eq!(inflated(&stream, smooth.len()), shuffled);
    }

    #[test]
    fn incompressible_bytes_become_a_stream_of_stored_blocks_only() {
        let mut state = 1u32;
        let noise: Vec<u8> = (0..200_000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (state >> 16) as u8
            })
            .collect();
        let stream = compress_chunk(&noise, 1, 6);
        // 200,000 bytes in four stored blocks: 2 + 4 × 5 + 200,000 + 4.
        assert_eq!(stream.len(), 200_026);
        assert_eq!(inflated(&stream, noise.len()), noise);
    }

    #[test]
    fn empty_and_tiny_chunks_are_valid_streams() {
        for data in [&[][..], &[7][..], &[1, 2, 3][..]] {
            let stream = compress_chunk(data, 2, 1);
            let mut shuffled = Vec::new();
            shuffle(data, 2, &mut shuffled);
            assert_eq!(inflated(&stream, data.len()), shuffled);
        }
    }
}
