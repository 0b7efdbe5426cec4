#!/usr/bin/env python3
"""Vectorised numpy peer of the drifting-bar renderer, for the stimulus bench.

It renders the same stimulus as drifting-bar's defaults (52 x 32 cm monitor at 1920 x 1200 px,
eye 15 cm away with the perpendicular at the screen centre, monitor facing azimuth 60 deg,
altitude 0; spherically corrected; 20 deg bar, 25 deg checks; grey 128, checks 0/255; a
110 px photodiode patch in the top-right corner) the way one would in numpy: the angular maps
and the checkerboard are computed ONCE, then each frame is a boolean mask and an np.where.

    python3 benches/stimulus/numpy_peer.py --frames 200 [--dump FILE]

Prints one JSON line: {"frames": N, "seconds": s, "frames_per_s": f, "cpu_seconds": c,
"frames_per_cpu_s": g} (CPU time of this process, which stays meaningful on a busy machine). With --dump, also writes
the frames of DUMP_BARS (raw u8, concatenated) so the Rust bench can check both render alike.
"""
import argparse
import json
import time

import numpy as np

WIDTH_PX, HEIGHT_PX = 1920, 1200
WIDTH_CM, HEIGHT_CM = 52.0, 32.0
EYE_CM = 15.0
AZ0, ALT0 = 60.0, 0.0
BAR_DEG, CHECK_DEG = 20.0, 25.0
GREY, LIGHT, DARK = 128, 255, 0
PATCH_PX, INDICATOR = 110, 255

# (axis, bar centre deg, polarity) of the frames written by --dump; the bench renders the same.
DUMP_BARS = [("azimuth", 30.0, 1), ("azimuth", 100.0, -1), ("altitude", -20.0, 1), ("altitude", 35.0, -1)]


def angle_maps():
    """Azimuth and altitude (deg, float32) at every pixel centre, as in SCIENCE.md section 1."""
    cols = (np.arange(WIDTH_PX) + 0.5) * WIDTH_CM / WIDTH_PX - WIDTH_CM / 2
    rows = HEIGHT_CM / 2 - (np.arange(HEIGHT_PX) + 0.5) * HEIGHT_CM / HEIGHT_PX
    y, z = np.meshgrid(cols, rows)
    azimuth = np.degrees(np.arctan2(y, EYE_CM)) + AZ0
    altitude = np.degrees(np.arctan2(z, np.hypot(EYE_CM, y))) + ALT0
    return azimuth.astype(np.float32), altitude.astype(np.float32)


class Peer:
    def __init__(self):
        self.maps = dict(zip(("azimuth", "altitude"), angle_maps()))
        index = np.floor(self.maps["azimuth"] / CHECK_DEG) + np.floor(self.maps["altitude"] / CHECK_DEG)
        even = (index % 2) == 0
        self.checks = {
            1: np.where(even, LIGHT, DARK).astype(np.uint8),
            -1: np.where(even, DARK, LIGHT).astype(np.uint8),
        }
        self.grey = np.uint8(GREY)

    def render(self, axis, centre, polarity):
        mask = np.abs(self.maps[axis] - np.float32(centre)) <= np.float32(BAR_DEG / 2)
        frame = np.where(mask, self.checks[polarity], self.grey)
        frame[:PATCH_PX, WIDTH_PX - PATCH_PX:] = INDICATOR
        return frame

    @staticmethod
    def field(axis):
        """Bar centres where the bar is just off the screen's outer edges."""
        if axis == "azimuth":
            half = np.degrees(np.arctan2(WIDTH_CM / 2, EYE_CM))
            lo, hi = AZ0 - half, AZ0 + half
        else:
            half = np.degrees(np.arctan2(HEIGHT_CM / 2, EYE_CM))
            lo, hi = ALT0 - half, ALT0 + half
        return lo - BAR_DEG / 2, hi + BAR_DEG / 2


def bench_frames(peer, n):
    """Half the frames sweep LR across azimuth, half BT across altitude; polarity flips every 10."""
    half = max(n // 2, 1)
    for i in range(n):
        axis = "azimuth" if i < half else "altitude"
        start, end = peer.field(axis)
        centre = start + (end - start) * ((i % half) / half)
        yield axis, centre, 1 if (i // 10) % 2 == 0 else -1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--dump", help="write the DUMP_BARS frames here (raw u8)")
    args = parser.parse_args()
    peer = Peer()
    if args.dump:
        with open(args.dump, "wb") as f:
            for bar in DUMP_BARS:
                f.write(peer.render(*bar).tobytes())
    frames = list(bench_frames(peer, args.frames))
    peer.render(*frames[0])  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    for bar in frames:
        peer.render(*bar)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"frames": args.frames, "seconds": wall, "frames_per_s": args.frames / wall,
                      "cpu_seconds": cpu, "frames_per_cpu_s": args.frames / cpu}))


if __name__ == "__main__":
    main()
