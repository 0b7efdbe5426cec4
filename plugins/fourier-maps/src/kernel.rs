//! The inner loop of the running sums: one chunk of pixels over one batch of frames.
//!
//! Pixels are taken a few at a time (`LANES`, one or two SIMD registers per
//! sum) and the whole batch is summed for them with the three partial sums
//! held in registers, so each frame's pixels are loaded once and the partial
//! sums never go through memory until they are folded into the `f64` totals.
//! On x86-64 CPUs with AVX2 the same code is compiled a second time for AVX2
//! and chosen at run time. Every pixel's arithmetic is the same sequence of
//! `f32` operations on every path (no fused multiply-add), so results are
//! bit-identical whichever path runs.

/// A pixel value the sums take: raw `u16` counts, or `f32` block means of binned frames.
pub trait Sample: Copy + Send + Sync + Into<f32> {}

impl Sample for u16 {}
impl Sample for f32 {}

/// The `f64` totals of one pixel chunk.
pub struct ChunkTotals<'a> {
    /// Σ(R − ref).
    pub sum: &'a mut [f64],
    /// Σ(R − ref)·cos ωt.
    pub sum_cos: &'a mut [f64],
    /// Σ(R − ref)·sin ωt.
    pub sum_sin: &'a mut [f64],
}

/// Adds pixels `start..start + totals.sum.len()` of every frame, minus
/// `reference` (the chunk's reference values), weighted by `weights[k] = (cos ωt_k, sin ωt_k)`.
pub fn add_chunk<T: Sample>(
    frames: &[&[T]],
    weights: &[(f32, f32)],
    start: usize,
    reference: &[f32],
    totals: ChunkTotals<'_>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { add_chunk_avx2(frames, weights, start, reference, totals) };
        return;
    }
    add_chunk_lanes::<T, 8>(frames, weights, start, reference, totals);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn add_chunk_avx2<T: Sample>(
    frames: &[&[T]],
    weights: &[(f32, f32)],
    start: usize,
    reference: &[f32],
    totals: ChunkTotals<'_>,
) {
    add_chunk_lanes::<T, 16>(frames, weights, start, reference, totals);
}

#[inline(always)]
fn add_chunk_lanes<T: Sample, const LANES: usize>(
    frames: &[&[T]],
    weights: &[(f32, f32)],
    start: usize,
    reference: &[f32],
    mut totals: ChunkTotals<'_>,
) {
    let len = totals.sum.len();
    let whole = len - len % LANES;
    for offset in (0..whole).step_by(LANES) {
        add_lanes::<T, LANES>(frames, weights, start, reference, &mut totals, offset);
    }
    for offset in whole..len {
        add_lanes::<T, 1>(frames, weights, start, reference, &mut totals, offset);
    }
}

/// Sums the batch for `N` adjacent pixels at `offset` into the chunk, then folds them into the totals.
#[inline(always)]
fn add_lanes<T: Sample, const N: usize>(
    frames: &[&[T]],
    weights: &[(f32, f32)],
    start: usize,
    reference: &[f32],
    totals: &mut ChunkTotals<'_>,
    offset: usize,
) {
    let reference: [f32; N] = reference[offset..offset + N]
        .try_into()
        .expect("N reference values");
    let (mut sum, mut sum_cos, mut sum_sin) = ([0.0f32; N], [0.0f32; N], [0.0f32; N]);
    let first = start + offset;
    for (frame, &(c, s)) in frames.iter().zip(weights) {
        let row: &[T; N] = frame[first..first + N].try_into().expect("N pixels");
        for l in 0..N {
            let x = row[l].into() - reference[l];
            sum[l] += x;
            sum_cos[l] += x * c;
            sum_sin[l] += x * s;
        }
    }
    for l in 0..N {
        totals.sum[offset + l] += f64::from(sum[l]);
        totals.sum_cos[offset + l] += f64::from(sum_cos[l]);
        totals.sum_sin[offset + l] += f64::from(sum_sin[l]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three frames of 1003 pixels (not a multiple of any lane count), their weights and the reference.
    struct Batch {
        frames: Vec<Vec<u16>>,
        weights: Vec<(f32, f32)>,
        reference: Vec<f32>,
    }

    fn batch() -> Batch {
        Batch {
            frames: (0..3u32)
                .map(|k| {
                    (0..1003u32)
                        .map(|p| (2000 + (p * 37 + k * 101) % 500) as u16)
                        .collect()
                })
                .collect(),
            weights: vec![(1.0, 0.0), (0.3, -0.95), (-0.7, 0.7)],
            reference: (0..1003).map(|p| 2100.0 + (p % 7) as f32).collect(),
        }
    }

    fn run(lanes: usize) -> [Vec<f64>; 3] {
        let Batch {
            frames,
            weights,
            reference,
        } = batch();
        let refs: Vec<&[u16]> = frames.iter().map(Vec::as_slice).collect();
        let (mut sum, mut sum_cos, mut sum_sin) =
            (vec![0.5; 1000], vec![0.0; 1000], vec![0.0; 1000]);
        let totals = ChunkTotals {
            sum: &mut sum,
            sum_cos: &mut sum_cos,
            sum_sin: &mut sum_sin,
        };
        // Pixels 3..1003 of each frame: the chunk starts inside the frame.
        match lanes {
            0 => add_chunk(&refs, &weights, 3, &reference[3..], totals),
            8 => add_chunk_lanes::<u16, 8>(&refs, &weights, 3, &reference[3..], totals),
            _ => add_chunk_lanes::<u16, 1>(&refs, &weights, 3, &reference[3..], totals),
        }
        [sum, sum_cos, sum_sin]
    }

    #[test]
    fn every_path_gives_the_sums_of_a_plain_loop_bit_for_bit() {
        let Batch {
            frames,
            weights,
            reference,
        } = batch();
        let plain: [Vec<f64>; 3] = std::array::from_fn(|which| {
            (3..1003)
                .map(|p| {
                    let mut part = 0.0f32;
                    for (frame, &(c, s)) in frames.iter().zip(&weights) {
                        let x = f32::from(frame[p]) - reference[p];
                        part += [x, x * c, x * s][which];
                    }
                    [0.5, 0.0, 0.0][which] + f64::from(part)
                })
                .collect()
        });
        assert_eq!(run(1), plain, "one pixel at a time");
        assert_eq!(run(8), plain, "eight lanes");
        assert_eq!(run(0), plain, "the path chosen for this CPU");
    }
}
