#!/usr/bin/env bash
# The Windows build, cross-compiled with mingw-w64 and run under Wine: the CLI,
# the demo pipeline (its deterministic data must hash as the Linux-made file's,
# and the file must verify on both), a .dll plugin loaded and an ABI-mismatched
# one refused as on Linux, a run killed under Wine recovered and read by h5py.
# Called by .ci/run after the native build (it uses target/debug/macroscope);
# MACROSCOPE_REQUIRE_WINE=1 turns a missing tool into an error instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
python=${MACROSCOPE_PYTHON:-python3}
fail() { echo "windows: $*" >&2; exit 1; }

missing=()
command -v wine >/dev/null 2>&1 || missing+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64)
rustup target list --installed 2>/dev/null | grep -qx "$target" || missing+=("rustup target $target")
if [ ${#missing[@]} -gt 0 ]; then
  [ "${MACROSCOPE_REQUIRE_WINE:-}" = 1 ] && fail "missing ${missing[*]} (MACROSCOPE_REQUIRE_WINE=1)"
  echo "windows checks skipped: missing ${missing[*]}"
  exit 0
fi

start=$(date +%s)
# The dev profile, as the native build before it: the proc macros and build
# scripts that build is made of are reused (a release build compiles them
# again), and the checks below need no more speed than the tests do.
cargo build --target "$target" -p macroscope -p example-frame-stats -p fixture-abi-future
target_dir=$(cargo metadata --format-version 1 --no-deps | "$python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
native=$target_dir/debug
out=$target_dir/$target/debug
# Wine 8 lacks the DLL Rust's std takes its random seeds from: a stand-in beside the exe.
x86_64-w64-mingw32-gcc -O2 -shared -o "$out/bcryptprimitives.dll" .ci/wine/bcryptprimitives.c -ladvapi32

export WINEPREFIX=$target_dir/wine-prefix WINEDEBUG=-all
wine wineboot --init >/dev/null 2>&1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
win() { wine "$out/macroscope.exe" "$@"; }
built=$(date +%s)

echo "-- plugins"
win plugins | tee "$work/plugins.txt"
grep -q drifting-bar "$work/plugins.txt" || fail "the built-in plugins are not listed"

echo "-- demo under Wine and on Linux"
t0=$(date +%s.%N)
win run pipelines/demo.toml --output "$work/windows.h5" --store "$work/store-windows" | tee "$work/run.txt"
t1=$(date +%s.%N)
grep -q complete "$work/run.txt" || fail "the demo under Wine did not end complete"
"$native/macroscope" run pipelines/demo.toml --output "$work/linux.h5" --store "$work/store-linux" >/dev/null
t2=$(date +%s.%N)
win verify "$work/windows.h5" | tail -n1
"$native/macroscope" verify "$work/windows.h5" | tail -n1
"$python" .ci/wine/same_hashes.py "$work/windows.h5" "$work/linux.h5"

echo "-- a .dll plugin, and one built for another ABI"
mkdir "$work/plugins"
cp "$out/example_frame_stats.dll" "$work/plugins/"
win --plugin-path "$work/plugins" plugins | grep frame-stats || fail "the .dll plugin is not listed"
win plugin check "$work/plugins/example_frame_stats.dll"
refusal() { sed -n 's/.*fixture_abi_future\.\(dll\|so\): //p' | head -n1; }
windows_says=$(win plugin check "$out/fixture_abi_future.dll" 2>&1 | refusal || true)
linux_says=$("$native/macroscope" plugin check "$native/libfixture_abi_future.so" 2>&1 | refusal || true)
echo "refused: $windows_says"
[ -n "$windows_says" ] && [ "$windows_says" = "$linux_says" ] ||
  fail "the ABI refusal differs: Windows \"$windows_says\", Linux \"$linux_says\""

echo "-- a run killed under Wine, recovered"
wine "$out/macroscope.exe" run pipelines/demo.toml --output "$work/killed.h5" --store "$work/store-killed" >/dev/null 2>&1 &
run=$!
for _ in $(seq 300); do
  [ "$(stat -c %s "$work/killed.h5.partial" 2>/dev/null || echo 0)" -gt 100000000 ] && break
  sleep 0.1
done
kill -KILL "$run"
wait "$run" || true
[ -e "$work/killed.h5.partial" ] || fail "the killed run left no .partial"
win recover "$work/killed.h5.partial"
"$python" - "$work/killed.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    frames = [d for n, d in f["acquisitions"].items() if "camera" in d][0]["camera/frames"]
    assert f.attrs["status"] == "interrupted", f.attrs["status"]
    print(f"h5py reads it: status interrupted, {frames.shape[0]} camera frames, last sum {int(frames[-1].sum())}")
PY

seconds() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }
echo "windows: build $((built - start)) s, the demo $(seconds "$t0" "$t1") s under Wine and $(seconds "$t1" "$t2") s natively (same profile), all checks $(($(date +%s) - start)) s"
