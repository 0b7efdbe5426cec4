"""Writes a run's camera movie and stimulus log into a plain HDF5 file, as a
lab's own acquisition program would: h5py only, no macroscope code.

    python write_plain_movie.py RUN.h5 OUT.h5

RUN.h5 is a finished run with one stimulus and one camera stage `camera`.
OUT.h5 holds /frames [N, H, W] u16, marked as a stream with its frame times
in /frames.time_s (docs/FORMAT.md, "Files as inputs"), and /stimulus_log, a
COMPOUND table with one row per displayed frame: time, direction (code),
sweep, bar_deg, polarity, indicator. The stimulus geometry is not written:
the pipeline gives it to the `stimulus-log` stage.
"""
import json
import sys

import h5py
import numpy as np


def main(run, out):
    with h5py.File(run, "r") as f:
        (acquisition,) = f["acquisitions"].values()
        camera = acquisition["camera"]
        frames = camera["frames"][()]
        times = camera["frames.time_s"][()]
        (stimulus,) = f["stimuli"].values()
        schedule = stimulus["schedule"]
        log = np.zeros(
            schedule.shape[0],
            dtype=[("time", "<f8"), ("direction", "i1"), ("sweep", "<i4"), ("bar_deg", "<f8"),
                   ("polarity", "i1"), ("indicator", "u1")],
        )
        log["time"] = schedule[()]
        log["direction"] = stimulus["schedule.direction"][()]
        log["sweep"] = stimulus["schedule.sweep"][()]
        log["bar_deg"] = stimulus["schedule.bar_centre_deg"][()]
        log["polarity"] = stimulus["schedule.polarity"][()]
        log["indicator"] = stimulus["schedule.indicator"][()]
    with h5py.File(out, "w") as f:
        movie = f.create_dataset("frames", data=frames.astype("<u2"), chunks=(1,) + frames.shape[1:])
        movie.attrs["role"] = "stream"
        movie.attrs["columns"] = json.dumps(["time_s"])
        f["frames.time_s"] = times
        f.create_dataset("stimulus_log", data=log)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
