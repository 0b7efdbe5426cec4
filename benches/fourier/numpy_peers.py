"""Numpy peers of the fourier-maps F1 bench (run by benches/fourier/f1_movie.rs, not by hand).

Reads a raw little-endian u16 movie [frames, height, width] sampled at regular times, computes the
first Fourier component of dR/R at the sweep frequency two ways, and prints one JSON line with
the wall-clock and CPU time of each (load time excluded) and writes each phase map (-angle(F1), the plugin's
lag convention) as raw f64 so the Rust bench can check that all three agree.

  fft_per_pixel: the straightforward style -- a loop over pixels, each taking an FFT along time
                 of its dR/R series and keeping the bin at the sweep frequency.
  fft_per_row:   the same FFTs vectorised over one image row at a time (a fairer FFT peer).
  tensordot:     the fastest numpy way we know -- cast blocks of frames to float32 and contract
                 them with the precomputed cos/sin weights (a BLAS sgemm), plus a running sum.
"""

import argparse
import json
import time

import numpy as np


def fft_per_pixel(movie, sweep_bin):
    frames, height, width = movie.shape
    f1 = np.empty((height, width), np.complex128)
    for row in range(height):
        for col in range(width):
            series = movie[:, row, col].astype(np.float64)
            f1[row, col] = np.fft.fft(series / series.mean() - 1.0)[sweep_bin]
    return f1


def fft_per_row(movie, sweep_bin):
    frames, height, width = movie.shape
    f1 = np.empty((height, width), np.complex128)
    for row in range(height):
        series = movie[:, row, :].astype(np.float64)
        dr_over_r = series / series.mean(axis=0) - 1.0
        f1[row] = np.fft.fft(dr_over_r, axis=0)[sweep_bin]
    return f1


def tensordot(movie, omega_t, block=128):
    frames, height, width = movie.shape
    flat = movie.reshape(frames, height * width)
    # Rows cos, sin and 1: one sgemm per block gives all three sums (exact in float32 for the
    # plain sum of 128 frames of u16), accumulated over blocks in float64.
    weights = np.stack([np.cos(omega_t), np.sin(omega_t), np.ones(frames)]).astype(np.float32)
    sums = np.zeros((3, height * width), np.float64)
    for start in range(0, frames, block):
        chunk = flat[start:start + block].astype(np.float32)
        sums += np.tensordot(weights[:, start:start + block], chunk, axes=(1, 0))
    mean = sums[2] / frames
    re = sums[0] / mean - weights[0].sum(dtype=np.float64)
    im = sums[1] / mean - weights[1].sum(dtype=np.float64)
    return (re - 1j * im).reshape(height, width)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--movie", required=True, help="raw u16 movie file")
    parser.add_argument("--frames", type=int, required=True)
    parser.add_argument("--height", type=int, required=True)
    parser.add_argument("--width", type=int, required=True)
    parser.add_argument("--frames-per-sweep", type=int, required=True)
    parser.add_argument("--phase-out", required=True, help="prefix for the raw f64 phase maps")
    args = parser.parse_args()

    movie = np.fromfile(args.movie, dtype="<u2").reshape(args.frames, args.height, args.width)
    sweeps = args.frames // args.frames_per_sweep
    omega_t = 2 * np.pi * np.arange(args.frames) / args.frames_per_sweep

    result = {"numpy": np.__version__}
    for name, run in [
        ("tensordot", lambda: tensordot(movie, omega_t)),
        ("fft_per_row", lambda: fft_per_row(movie, sweeps)),
        ("fft_per_pixel", lambda: fft_per_pixel(movie, sweeps)),
    ]:
        start, cpu_start = time.perf_counter(), time.process_time()
        f1 = run()
        result[name + "_s"] = time.perf_counter() - start
        result[name + "_cpu_s"] = time.process_time() - cpu_start
        (-np.angle(f1)).astype("<f8").tofile(f"{args.phase_out}.{name}.f64")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
