"""Checks that two run files hold the same deterministic data.

    python same_hashes.py windows-made.h5 linux-made.h5

Every dataset of a stage marked `deterministic` (matched by stage id and
name: a run's groups are named after its start time) must carry the same
`content_sha256` in both files: bit-identical data on every system (the
plugins compute with the portable `libm` crate, not the platform's libm).
Prints what was compared; exits non-zero naming each difference.
"""

import sys

import h5py


def deterministic_datasets(f):
    """{stage/name: dataset} for the deterministic stages of file `f`."""
    found = {}
    def visit(_, obj):
        if isinstance(obj, h5py.Group) and obj.attrs.get("deterministic") == 1:
            stage = obj.attrs["stage"]
            def inner(name, ds):
                if isinstance(ds, h5py.Dataset) and "content_sha256" in ds.attrs:
                    found[f"{stage}/{name}"] = ds
            obj.visititems(inner)
    f.visititems(visit)
    return found


def main(first, second):
    with h5py.File(first, "r") as fa, h5py.File(second, "r") as fb:
        a, b = deterministic_datasets(fa), deterministic_datasets(fb)
        if not a:
            sys.exit(f"{first}: no deterministic dataset with a content hash")
        differences = []
        for name in sorted(set(a) | set(b)):
            if name not in a or name not in b:
                differences.append(f"{name}: only in {first if name in a else second}")
            elif a[name].attrs["content_sha256"] != b[name].attrs["content_sha256"]:
                differences.append(f"{name}: content hashes differ")
    if differences:
        sys.exit("deterministic datasets differ:\n  " + "\n  ".join(differences))
    print(f"all {len(a)} deterministic datasets have the same content hash")


if __name__ == "__main__":
    main(*sys.argv[1:3])
