#!/usr/bin/env bash
# `macroscope export nwb` of the demo run against copying the run file, in the
# same run: the peer is `cp` followed by `sync` of the copy (the export syncs
# its file before renaming it, so both end on disk). Records the demo once
# (pipelines/demo.toml, without figures), then alternates export and copy
# BENCH_REPEATS times, each into a fresh file, and prints every pair, the
# medians and the median of the ratios (the issue's bar: at most 2×).
# Usage:
#   benches/export/run.sh [MACROSCOPE]   (default: target/release/macroscope)
# Knobs (environment): BENCH_REPEATS (7), BENCH_DIR (scratch directory,
# default a fresh temporary one).
set -euo pipefail
cd "$(dirname "$0")/../.."
macroscope=$(realpath "${1:-${CARGO_TARGET_DIR:-target}/release/macroscope}")
[ -x "$macroscope" ] || { echo "no macroscope at $macroscope: cargo build --release, or pass its path" >&2; exit 1; }
repeats=${BENCH_REPEATS:-7}
dir=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$dir"

sed -e "s#runs/demo.h5#$dir/demo.h5#" -e "s#runs/store#$dir/store#" pipelines/demo.toml >"$dir/demo.toml"
rm -f "$dir/demo.h5"
"$macroscope" run -q --no-figures "$dir/demo.toml" >/dev/null
size=$(stat -c %s "$dir/demo.h5")

seconds() { # runs "$@", prints its wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { print b - a }' 
}

echo "demo run: $size bytes; $repeats alternations; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %10s %10s %7s\n' "#" "export s" "cp+sync s" "ratio"
exports=() copies=() ratios=()
for i in $(seq 1 "$repeats"); do
  rm -f "$dir/demo.nwb" "$dir/copy.h5"
  e=$(seconds "$macroscope" export nwb -q "$dir/demo.h5" "$dir/demo.nwb")
  c=$(seconds sh -c "cp '$dir/demo.h5' '$dir/copy.h5' && sync '$dir/copy.h5'")
  r=$(awk -v e="$e" -v c="$c" 'BEGIN { print e / c }')
  exports+=("$e") copies+=("$c") ratios+=("$r")
  printf '%-4s %10.3f %10.3f %6.2f×\n' "$i" "$e" "$c" "$r"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
printf 'median: export %.3f s, cp+sync %.3f s, ratio %.2f× (median of the ratios)\n' \
  "$(median "${exports[@]}")" "$(median "${copies[@]}")" "$(median "${ratios[@]}")"
