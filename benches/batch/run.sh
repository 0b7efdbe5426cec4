#!/usr/bin/env bash
# `macroscope batch` with 1 and with 2 local workers over the same 8 sessions:
# wall time of each and the speed-up. Each session is the tests' smallest
# recording that runs to maps (32×24 px, four directions), with a store of its
# own so every session computes every stage (a shared store would reuse them
# after the first). Usage:
#   benches/batch/run.sh [MACROSCOPE]   (default: target/release/macroscope)
# Knobs (environment): BENCH_SESSIONS (8), BENCH_SWEEPS (sweeps per direction, 4),
# BENCH_DIR (scratch directory, default a fresh temporary one).
set -euo pipefail
cd "$(dirname "$0")/../.."
macroscope=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/macroscope}")
[ -x "$macroscope" ] || { echo "no macroscope at $macroscope: cargo build --release, or pass its path" >&2; exit 1; }
sessions=${BENCH_SESSIONS:-8}
sweeps=${BENCH_SWEEPS:-4}
dir=${BENCH_DIR:-$(mktemp -d)}

pipeline() { # $1: folder
  mkdir -p "$1/runs"
  cat >"$1/session.toml" <<TOML
[pipeline]
name = "batch-bench"
output = "$1/runs/{session}.h5"
store = "$1/store-{session}"

[stages.stimulus]
plugin = "drifting-bar"
params = { directions = ["LR", "RL", "BT", "TB"], sweeps_per_direction = $sweeps, downsample = 40, baseline_before_s = 0.5, baseline_after_s = 0.5 }

[stages.camera]
plugin = "synthetic-cortex"
inputs = ["stimulus.schedule"]
params = { width_px = 32, height_px = 24, frame_rate_hz = 5.0, response_amplitude = 0.01 }

[stages.fourier]
plugin = "fourier-maps"
inputs = ["camera.frames", "stimulus.schedule"]
params = { skip_sweeps = 0 }

[stages.retinotopy]
plugin = "retinotopy"
inputs = ["fourier.phase", "fourier.magnitude"]
params = { phase_sigma_px = 0.25, sign_sigma_px = 1.5, min_patch_px = 4 }
TOML
}

names=$(seq -f 's%g' 1 "$sessions")
declare -A wall
for jobs in 1 2; do
  work="$dir/jobs-$jobs"
  rm -rf "$work"
  pipeline "$work"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$macroscope" batch "$work/session.toml" $names --jobs "$jobs" >/dev/null 2>"$work/batch.log" \
    || { cat "$work/batch.log" >&2; exit 1; }
  wall[$jobs]=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  printf '%d sessions, --jobs %d: %.1f s\n' "$sessions" "$jobs" "${wall[$jobs]}"
done
printf 'speed-up with 2 workers: %.2f×\n' "$(awk -v a="${wall[1]}" -v b="${wall[2]}" 'BEGIN { print a / b }')"
