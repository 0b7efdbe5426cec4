#!/usr/bin/env python3
"""Check an NWB export against the run file it came from, as a lab sharing it would.

Usage: check_nwb.py RUN.h5 EXPORT.nwb

1. pynwb's validator (`pynwb.validate`) must report no error;
2. nwbinspector with the DANDI configuration must report nothing CRITICAL and no
   BEST_PRACTICE_VIOLATION (the other messages are printed, as notes);
3. the file read back through pynwb (`NWBHDF5IO(...).read()`) must hold the run's values,
   read from the run file with plain h5py: the camera movie and its frame times, the
   stimulus sweeps (recomputed here from the schedule's columns), the bar position, the
   maps of every analysis stage, and the session's subject.

Prints one line per problem and a last line `N checks, P problems`; exits 0 when P is 0,
1 otherwise, and 3 when pynwb or nwbinspector cannot be imported.
"""
import json
import sys

import h5py
import numpy as np

try:
    import pynwb
    from nwbinspector import Importance, inspect_nwbfile, load_config
except ImportError as e:  # the Rust test decides whether that is a failure
    print(f"cannot import pynwb and nwbinspector: {e}")
    sys.exit(3)

DIRECTIONS = {0: "LR", 1: "RL", 2: "BT", 3: "TB"}


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def stages(run, kind):
    """(stage id, group) of every stage group of plugin kind `kind`."""
    found = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and text(obj.attrs.get("kind", "")) == kind:
            found.append((text(obj.attrs["stage"]), obj))

    run.visititems(visit)
    return found


def series_times(series, n):
    """A series' item times: its timestamps, or its start and rate."""
    if series.timestamps is not None:
        return np.asarray(series.timestamps[:])
    return series.starting_time + np.arange(n) / series.rate


def sweeps(times, directions, indices, rate):
    """(start, stop, direction name, sweep) of each run of equal (direction, sweep) outside baselines."""
    rows = []
    start = None
    for i in range(len(times)):
        key = (int(directions[i]), int(indices[i]))
        if start is not None and key == start[1]:
            continue
        if start is not None:
            rows.append((start[0], times[i], DIRECTIONS[start[1][0]], start[1][1]))
            start = None
        if key[0] != -1:
            start = (times[i], key)
    if start is not None:
        rows.append((start[0], times[-1] + 1.0 / rate, DIRECTIONS[start[1][0]], start[1][1]))
    return rows


def main(run_path, nwb_path):
    problems = []
    checks = 0

    def check(ok, message):
        nonlocal checks
        checks += 1
        if not ok:
            problems.append(message)

    errors = pynwb.validate(path=nwb_path)
    check(not errors, f"pynwb.validate: {errors}")

    for message in inspect_nwbfile(nwbfile_path=nwb_path, config=load_config("dandi")):
        serious = message.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION)
        line = f"{message.importance.name} {message.check_function_name} {message.location}: {message.message}"
        check(not serious, f"nwbinspector: {line}")
        if not serious:
            print(f"note: nwbinspector: {line}")

    with h5py.File(run_path, "r") as run, pynwb.NWBHDF5IO(nwb_path, "r") as io:
        nwb = io.read()
        session = json.loads(text(run.attrs["session"]))
        check(nwb.session_description == session["description"], "session_description")
        check(nwb.session_id == text(run.attrs["run_id"]), "session_id is the run id")
        subject = nwb.subject
        for key in ["subject_id", "species", "sex", "age", "strain", "genotype"]:
            if key in session:
                check(getattr(subject, key) == session[key], f"subject.{key}: {getattr(subject, key)!r}")
        if "weight_g" in session:
            check(subject.weight == f"{session['weight_g']:g} g", f"subject.weight: {subject.weight!r}")
        if "experimenters" in session:
            check(list(nwb.experimenter) == session["experimenters"], "experimenter")

        for stage, group in stages(run, "camera"):
            frames = group["frames"]
            series = nwb.acquisition[stage]
            check(series.data.shape == frames.shape, f"acquisition/{stage}: shape {series.data.shape}")
            check(np.array_equal(series.data[:], frames[:]), f"acquisition/{stage}: frames differ")
            check(series.data.dtype == frames.dtype, f"acquisition/{stage}: dtype {series.data.dtype}")
            check(series.device.name == stage, f"acquisition/{stage}: device")
            want = group["frames.time_s"][:]
            got = series_times(series, len(want))
            check(np.allclose(got, want, rtol=0, atol=1e-9), f"acquisition/{stage}: frame times differ")

        for stage, group in stages(run, "stimulus"):
            schedule = group["schedule"]
            times = schedule[:]
            bar = nwb.stimulus[f"{stage}_bar_centre_deg"]
            check(
                np.array_equal(bar.data[:], group["schedule.bar_centre_deg"][:], equal_nan=True),
                f"stimulus/{stage}_bar_centre_deg: values differ",
            )
            check(np.allclose(series_times(bar, len(times)), times, atol=1e-9), "bar position times differ")
            rate = json.loads(text(schedule.attrs["port_attributes"]))["display_rate_hz"]
            want = sweeps(times, group["schedule.direction"][:], group["schedule.sweep"][:], rate)
            table = nwb.intervals["sweeps"].to_dataframe()
            got = list(
                zip(table["start_time"], table["stop_time"], table["direction"], table["sweep"])
            )
            check(len(got) == len(want) > 0, f"intervals/sweeps: {len(got)} rows, expected {len(want)}")
            check(
                all(
                    abs(g[0] - w[0]) < 1e-12 and abs(g[1] - w[1]) < 1e-12 and g[2] == w[2] and g[3] == w[3]
                    for g, w in zip(got, want)
                ),
                "intervals/sweeps: rows differ",
            )
            movie = nwb.stimulus[stage]
            check(np.array_equal(movie.data[:], group["frames"][:]), f"stimulus/{stage}: frames differ")

        module = nwb.processing["retinotopy"]
        for stage, group in stages(run, "analysis"):
            images = module[stage].images
            for name, dataset in group.items():
                if text(dataset.attrs.get("role", "")) != "dataset" or dataset.ndim not in (2, 3):
                    continue
                if dataset.ndim == 2:
                    check(
                        np.array_equal(images[name].data[:], dataset[:], equal_nan=True),
                        f"processing/retinotopy/{stage}/{name}: values differ",
                    )
                    continue
                planes = json.loads(text(dataset.attrs["port_attributes"])).get("directions", [])
                for i, plane in enumerate(planes):
                    check(
                        np.array_equal(images[f"{name}_{plane}"].data[:], dataset[i], equal_nan=True),
                        f"processing/retinotopy/{stage}/{name}_{plane}: values differ",
                    )
        for name in ["azimuth_deg", "altitude_deg", "sign_map", "area_labels"]:
            check(
                any(name in module[stage].images for stage, _ in stages(run, "analysis")),
                f"processing/retinotopy: no map `{name}`",
            )

    for problem in problems:
        print(problem)
    print(f"{checks} checks, {len(problems)} problems")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
