#!/usr/bin/env python3
"""The h5py side of the storage-sink benchmark (see store_sink.rs).

Usage: h5py_peer.py FRAMES.u16 COUNT HEIGHT WIDTH OUTDIR

Writes the raw little-endian u16 frames to two HDF5 files, one frame per
write as a camera loop would, with (a) gzip 4 in (1, H, W) chunks and
(b) shuffle + gzip 1 in (1, H, W) chunks; prints JSON with the seconds and
file size of each, and the CPU seconds they took. Runs itself inside benches/.venv, creating it (with numpy
and h5py) on first use.
"""
import json
import os
import subprocess
import sys
import time

VENV = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".venv")


def ensure_venv():
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(python):
        print(f"creating {VENV} with numpy and h5py ...", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", "--system-site-packages", VENV], stdout=sys.stderr)
        subprocess.check_call([python, "-m", "pip", "install", "--quiet", "numpy", "h5py"], stdout=sys.stderr)
    os.execv(python, [python] + sys.argv)


def write(frames, path, **filters):
    import h5py

    count, height, width = frames.shape
    started, cpu = time.perf_counter(), time.process_time()
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("frames", shape=(0, height, width), maxshape=(None, height, width),
                              dtype="<u2", chunks=(1, height, width), **filters)
        for i in range(count):
            ds.resize(i + 1, axis=0)
            ds[i] = frames[i]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "bytes": os.path.getsize(path)}


def main():
    ensure_venv()
    import numpy as np

    raw, count, height, width, outdir = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5]
    frames = np.fromfile(raw, dtype="<u2").reshape(count, height, width)
    results = {
        "gzip4": write(frames, os.path.join(outdir, "h5py-gzip4.h5"), compression="gzip", compression_opts=4),
        "shuffle_gzip1": write(frames, os.path.join(outdir, "h5py-shuffle-gzip1.h5"),
                               compression="gzip", compression_opts=1, shuffle=True),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
