#!/usr/bin/env python3
"""What one genicam bench run stored, read from its run file (see run.sh).

Usage: run_file.py RUN.h5 STAGE

Prints one line: status, frames stored, raw frame bytes stored, the sum of
the frames' `dropped_before` column, the stream's `dropped_items`, the block
ids of the first and last stored frame, and the host seconds between them.
Uses h5py from the interpreter that runs it; without h5py, runs itself inside
benches/.venv as h5py_peer.py does (creating it on first use).
"""
import math
import os
import sys


def main():
    try:
        import h5py
    except ImportError:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        from h5py_peer import ensure_venv

        ensure_venv()
        import h5py

    path, stage = sys.argv[1], sys.argv[2]
    with h5py.File(path, "r") as f:
        status = f.attrs["status"]
        status = status.decode() if isinstance(status, bytes) else status
        run = f.attrs["run_id"]
        run = run.decode() if isinstance(run, bytes) else run
        group = f[f"/acquisitions/{run}/{stage}"]
        frames = group["frames"]
        count = frames.shape[0]
        ids = group["frames.frame_id"][:]
        host = group["frames.host_time_ns"][:]
        dropped_before = int(group["frames.dropped_before"][:].sum())
        dropped_items = int(frames.attrs.get("dropped_items", 0))
        raw_bytes = count * frames.dtype.itemsize * math.prod(frames.shape[1:])
        first, last = (int(ids[0]), int(ids[-1])) if count else (0, 0)
        span_s = (int(host[-1]) - int(host[0])) / 1e9 if count else 0.0
    print(status, count, raw_bytes, dropped_before, dropped_items, first, last, f"{span_s:.6f}")


if __name__ == "__main__":
    main()
