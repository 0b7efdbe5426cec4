"""Writes a movie as another lab's tool would: plain h5py, no macroscope code,
every string attribute fixed-length, in each of HDF5's encodings (ASCII,
UTF-8) and paddings (NUL-padded as h5py writes np.bytes_, NUL-terminated as
MATLAB writes, space-padded), so a reader that takes only variable-length
strings misses them. Also three datasets that are not the stream they seem.

    python write_foreign_movie.py OUT.h5

Layout (docs/FORMAT.md, "Files as inputs"): /frames [N, H, W] u16 with its
/frames.time_s column; /schedule [N] f64 with its four required columns and
the schedule attributes; /plain/frames, frames without attributes (a dataset
port, not a stream); /short, a stream whose column is one row short;
/table, a compound table of numbers (a stream of rows); /labelled, a compound
table with a string field (no port carries it).
"""
import json
import sys

import h5py
import numpy as np

N, H, W = 40, 6, 8
RATE_HZ = 10.0


def fixed(obj, name, text, cset=h5py.h5t.CSET_ASCII, pad=h5py.h5t.STR_NULLPAD, spare=4):
    """A scalar fixed-length string attribute, `spare` bytes longer than its text."""
    data = text.encode("utf-8")
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(len(data) + spare)
    tid.set_cset(cset)
    tid.set_strpad(pad)
    attr = h5py.h5a.create(obj.id, name.encode(), tid, h5py.h5s.create(h5py.h5s.SCALAR))
    fill = b" " if pad == h5py.h5t.STR_SPACEPAD else b"\0"
    attr.write(np.array(data + fill * spare, dtype=f"S{len(data) + spare}"), mtype=tid)


def main(path):
    t = np.arange(N) / RATE_HZ
    with h5py.File(path, "w") as f:
        frames = f.create_dataset("frames", data=np.full((N, H, W), 1000, dtype="<u2"))
        frames.attrs["role"] = np.bytes_("stream")
        fixed(frames, "port", "frames", pad=h5py.h5t.STR_NULLTERM, spare=1)
        fixed(frames, "columns", json.dumps(["time_s"]), cset=h5py.h5t.CSET_UTF8, pad=h5py.h5t.STR_SPACEPAD)
        fixed(frames, "unit", "counts")
        f.create_dataset("frames.time_s", data=t)

        schedule = f.create_dataset("schedule", data=t)
        fixed(schedule, "role", "stream", cset=h5py.h5t.CSET_UTF8)
        fixed(schedule, "columns", json.dumps(["frame_index", "direction", "sweep", "bar_centre_deg"]),
              pad=h5py.h5t.STR_SPACEPAD)
        attributes = {
            "directions": ["LR", "RL"],
            "display_rate_hz": RATE_HZ,
            "sweep_duration_s": {"azimuth": 2.0},
            "bar_start_deg": {"LR": -40.0, "RL": 40.0},
            "travel_deg": {"azimuth": 80.0},
        }
        fixed(schedule, "port_attributes", json.dumps(attributes), pad=h5py.h5t.STR_NULLTERM, spare=1)
        sweep = (np.arange(N) % 20) // 20
        f.create_dataset("schedule.frame_index", data=np.arange(N, dtype="<i8"))
        f.create_dataset("schedule.direction", data=(np.arange(N) >= 20).astype("i1"))
        f.create_dataset("schedule.sweep", data=sweep.astype("<i4"))
        f.create_dataset("schedule.bar_centre_deg", data=-40.0 + 80.0 * (np.arange(N) % 20) / 20)

        f.create_dataset("plain/frames", data=np.full((N, H, W), 1000, dtype="<u2"))

        short = f.create_dataset("short", data=t)
        short.attrs["role"] = np.bytes_("stream")
        short.attrs["columns"] = np.bytes_(json.dumps(["frame_index"]))
        f.create_dataset("short.frame_index", data=np.arange(N - 1, dtype="<i8"))

        table = np.zeros(4, dtype=[("time", "<f8"), ("direction", "i1"), ("sweep", "<i4"), ("bar_deg", "<f8")])
        f.create_dataset("table", data=table)

        labelled = np.zeros(4, dtype=[("time", "<f8"), ("label", "S8")])
        f.create_dataset("labelled", data=labelled)


if __name__ == "__main__":
    main(sys.argv[1])
