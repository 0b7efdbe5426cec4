"""Checks that two run files hold the same deterministic data.

    python same_hashes.py windows-made.h5 linux-made.h5

Every dataset of a stage marked `deterministic` (matched by stage id and
name: a run's groups are named after its start time) must carry the same
`content_sha256` in both files, except the floating-point maps listed in
LIBM_ROUNDING: they go through the platform's sin, cos, atan2 and exp, whose
last bit differs between glibc and mingw-w64, so there they must agree to
1e-12 instead (the values, not the hashes). Making those bit-identical too
needs the plugins to use one portable libm on every system.
Prints what was compared; exits non-zero naming each difference.
"""

import sys

import h5py
import numpy as np

LIBM_ROUNDING = {
    "camera/true_azimuth_deg", "camera/true_altitude_deg",
    "fourier/magnitude", "fourier/phase",
    "retinotopy/azimuth_deg", "retinotopy/altitude_deg",
    "retinotopy/azimuth_delay", "retinotopy/altitude_delay",
    "retinotopy/azimuth_power", "retinotopy/altitude_power",
    "retinotopy/sign_map", "retinotopy/sign_map_smoothed", "retinotopy/patches.mean_vfs",
}


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
        differences, close = [], []
        for name in sorted(set(a) | set(b)):
            if name not in a or name not in b:
                differences.append(f"{name}: only in {first if name in a else second}")
            elif a[name].attrs["content_sha256"] == b[name].attrs["content_sha256"]:
                continue
            elif name in LIBM_ROUNDING and np.allclose(a[name][()], b[name][()], rtol=1e-12, atol=1e-12, equal_nan=True):
                close.append(name)
            else:
                differences.append(f"{name}: content hashes differ")
    if differences:
        sys.exit("deterministic datasets differ:\n  " + "\n  ".join(differences))
    print(f"{len(a) - len(close)} of {len(a)} deterministic datasets have the same content hash; "
          f"{len(close)} differ in the last bits of the platform's libm, within 1e-12: {', '.join(close)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
