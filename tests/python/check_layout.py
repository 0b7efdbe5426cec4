#!/usr/bin/env python3
"""Check a macroscope HDF5 file with h5py against values a Rust test wrote down.

Usage: check_layout.py FILE EXPECTED.json

EXPECTED.json:
  {"root": {attribute: value, ...},
   "datasets": {path: {"dtype": "<u2", "shape": [...], "chunks": [...] | null,
                       "filters": ["shuffle", "gzip"] | [],
                       "sha256": hex of the values as little-endian C-order bytes,
                       "samples": [[[index...], value], ...],
                       "attrs": {attribute: value, ...}}},
   "groups": {path: {attribute: value, ...}}}

Every check is independent of the writer: h5py decodes the chunks through
HDF5's own shuffle and deflate filters, and the hashes are recomputed here.
Exits 0 when everything matches, 1 with a list of differences otherwise.
"""
import hashlib
import json
import sys

import h5py
import numpy as np


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def check_attrs(obj, expected, where, problems):
    for name, want in expected.items():
        if name not in obj.attrs:
            problems.append(f"{where}: attribute {name} missing")
            continue
        got = obj.attrs[name]
        got = text(got) if not isinstance(got, np.ndarray) else got.tolist()
        if isinstance(got, np.generic):
            got = got.item()
        if got != want:
            problems.append(f"{where}: attribute {name} is {got!r}, expected {want!r}")


def check_dataset(f, path, want, problems):
    if path not in f:
        problems.append(f"{path}: missing")
        return
    ds = f[path]
    if ds.dtype.str != want["dtype"]:
        problems.append(f"{path}: dtype {ds.dtype.str}, expected {want['dtype']}")
    if list(ds.shape) != want["shape"]:
        problems.append(f"{path}: shape {list(ds.shape)}, expected {want['shape']}")
    if "chunks" in want:
        chunks = list(ds.chunks) if ds.chunks else None
        if chunks != want["chunks"]:
            problems.append(f"{path}: chunks {chunks}, expected {want['chunks']}")
    if "filters" in want:
        filters = (["shuffle"] if ds.shuffle else []) + ([ds.compression] if ds.compression else [])
        if filters != want["filters"]:
            problems.append(f"{path}: filters {filters}, expected {want['filters']}")
    values = ds[()]
    data = np.ascontiguousarray(values, dtype=ds.dtype.newbyteorder("<")).tobytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != want["sha256"]:
        problems.append(f"{path}: values hash to {digest}, expected {want['sha256']}")
    recorded = text(ds.attrs.get("content_sha256", ""))
    if recorded != want["sha256"]:
        problems.append(f"{path}: content_sha256 attribute {recorded}, expected {want['sha256']}")
    for index, value in want.get("samples", []):
        got = values[tuple(index)].item()
        if got != value:
            problems.append(f"{path}[{index}] = {got!r}, expected {value!r}")
    check_attrs(ds, want.get("attrs", {}), path, problems)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    path, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path) as handle:
        expected = json.load(handle)
    problems = []
    with h5py.File(path, "r") as f:
        check_attrs(f, expected.get("root", {}), "/", problems)
        for group, attrs in expected.get("groups", {}).items():
            if group not in f:
                problems.append(f"{group}: group missing")
            else:
                check_attrs(f[group], attrs, group, problems)
        for dataset, want in expected.get("datasets", {}).items():
            check_dataset(f, dataset, want, problems)
    for problem in problems:
        print(problem)
    checked = len(expected.get("datasets", {}))
    print(f"{path}: {checked} datasets checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
