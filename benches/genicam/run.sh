#!/usr/bin/env bash
# GenICam acquisition through the genicam plugin into the run file, against
# Aravis's own receiver in the same run. For each frame rate, Aravis's fake
# GigE Vision camera (arv-fake-gv-camera-0.8 on 127.0.0.1, started afresh and
# stopped by its pid) streams Mono16 SIZE x SIZE frames for SECONDS to
#   peer: arv-camera-test-0.8, which receives them and throws them away, with
#         the receiver options the plugin uses on a loopback camera (no packet
#         socket, resends on, a socket buffer the kernel caps at
#         net.core.rmem_max: `-a` asks one frame, the plugin eight);
#   ours: `macroscope run` with the genicam plugin, storing every frame
#         (shuffle + deflate 1) in a run file.
# Prints per rate: frames/s each received ("lost": the peer's incomplete and
# missing frames), ours over the peer's, the rate the camera sent at (block ids
# over host time of our stored frames), MB/s stored (raw frame bytes, and file
# bytes, per second of recording), frames lost before the plugin had them
# ("lost": the file's `dropped_before` sum and `dropped_items`, less the sink's
# drops) and dropped by the sink ("sink": its queue was full; from `macroscope
# run`'s summary), CPU seconds per second of recording of macroscope, of the
# peer, and of the fake camera during ours and during the peer's, and CPU
# milliseconds per frame: ours and the peer's per frame received, the fake
# camera's (during ours) per frame it sent. The fake camera draws and sends
# each frame on one thread, then sleeps to the next multiple of the frame
# period: when a frame takes it longer than a period, it sends at the rate
# asked over a whole number of periods, and the peer falls short as we do.
# Last, the highest rate asked at which each lost no frame.
# Usage:
#   benches/genicam/run.sh [MACROSCOPE [PLUGIN_DIR]]
#     defaults: $CARGO_TARGET_DIR/release/macroscope and $CARGO_TARGET_DIR/release
#     (libgenicam.so), built by `cargo build --release -p macroscope -p genicam`
# Knobs (environment): BENCH_SIZE (2048, the fake camera's largest), BENCH_RATES
# ("5 10 20 30"), BENCH_SECONDS (30), BENCH_SOCKET_BUFFER (the plugin's
# `socket_buffer_bytes`; unset: its default), BENCH_PACKET_SIZE (GigE Vision
# packet size in bytes for both receivers: the plugin's `packet_size`, the
# peer's `--gv-packet-size`; unset: the camera's own, 1400), BENCH_DIR (scratch directory,
# default a fresh one; run files are deleted once read unless BENCH_KEEP=1),
# BENCH_WAIT (seconds to wait for a fake camera someone else runs, 600),
# MACROSCOPE_PYTHON (an interpreter with h5py; default python3, and without
# h5py benches/.venv is made as for benches/run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${CARGO_TARGET_DIR:-target}
macroscope=$(realpath "${1:-$target/release/macroscope}")
plugins=$(realpath "${2:-$target/release}")
python=${MACROSCOPE_PYTHON:-python3}
for tool in arv-fake-gv-camera-0.8 arv-camera-test-0.8; do
  command -v "$tool" >/dev/null || { echo "no $tool: apt-get install aravis-tools" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "no /usr/bin/time: apt-get install time" >&2; exit 1; }
[ -x "$macroscope" ] || { echo "no macroscope at $macroscope: cargo build --release -p macroscope -p genicam" >&2; exit 1; }
[ -f "$plugins/libgenicam.so" ] || { echo "no libgenicam.so in $plugins: cargo build --release -p genicam" >&2; exit 1; }
size=${BENCH_SIZE:-2048}
rates=${BENCH_RATES:-5 10 20 30}
seconds=${BENCH_SECONDS:-30}
wait_s=${BENCH_WAIT:-600}
dir=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$dir"
socket_param=${BENCH_SOCKET_BUFFER:+, socket_buffer_bytes = $BENCH_SOCKET_BUFFER}
packet_param=${BENCH_PACKET_SIZE:+, packet_size = $BENCH_PACKET_SIZE}
peer_packet=(${BENCH_PACKET_SIZE:+--gv-packet-size=$BENCH_PACKET_SIZE})
tick=$(getconf CLK_TCK)

# The fake camera: one at a time may listen on 127.0.0.1, so wait while one
# that is not ours runs (someone else's test may be using it).
camera_pid=
others() { pgrep -x arv-fake-gv-cam | grep -vx "${camera_pid:-none}" || true; }
wait_for_others() {
  local waited=0
  while [ -n "$(others)" ]; do
    [ "$waited" -eq 0 ] && echo "waiting for a fake camera that is not ours to go away: $(others | tr '\n' ' ')" >&2
    [ "$waited" -ge "$wait_s" ] && { echo "it is still there after ${wait_s} s: giving up" >&2; exit 1; }
    sleep 5
    waited=$((waited + 5))
  done
}
start_camera() {
  wait_for_others
  arv-fake-gv-camera-0.8 -i 127.0.0.1 >>"$dir/fake-camera.log" 2>&1 &
  camera_pid=$!
  sleep 1
  kill -0 "$camera_pid" 2>/dev/null || { echo "the fake camera did not start: $dir/fake-camera.log" >&2; exit 1; }
}
stop_camera() {
  if [ -n "$camera_pid" ]; then kill "$camera_pid" 2>/dev/null || true; wait "$camera_pid" 2>/dev/null || true; fi
  camera_pid=
}
trap stop_camera EXIT
# CPU seconds (user + system) a process has used so far.
cpu_of() {
  [ -r "/proc/$1/stat" ] || { echo 0; return; }
  sed 's/^.*) //' "/proc/$1/stat" | awk -v t="$tick" '{ print ($12 + $13) / t }'
}
# CPU seconds of a `/usr/bin/time -f "%U %S"` output file.
cpu_in() { awk 'END { print $1 + $2 }' "$1"; }

# The peer at $1 Hz. Sets peer_frames, peer_lost, peer_cpu, peer_camera_cpu.
peer() {
  local log="$dir/peer-$1.log" before
  start_camera
  before=$(cpu_of "$camera_pid")
  /usr/bin/time -f "%U %S" -o "$dir/peer-$1.time" arv-camera-test-0.8 -n 127.0.0.1 --no-packet-socket -a \
    "${peer_packet[@]}" -f "$1" -w "$size" -h "$size" --features "PixelFormat=Mono16" --duration "$seconds" >"$log" 2>&1 \
    || echo "arv-camera-test-0.8 failed at $1 Hz: $log" >&2
  peer_camera_cpu=$(awk -v a="$before" -v b="$(cpu_of "$camera_pid")" 'BEGIN { print b - a }')
  stop_camera
  peer_cpu=$(cpu_in "$dir/peer-$1.time")
  peer_frames=$(awk '$1 == "n_completed_buffers" { n = $3 } END { print n + 0 }' "$log")
  peer_lost=$(awk '$1 == "n_failures" || $1 == "n_missing_frames" { n += $3 } END { print n + 0 }' "$log")
}

# Ours at $1 Hz. Sets status, frames, raw_bytes, file_bytes, lost, sink_dropped,
# sent_frames, sent_rate, our_cpu, our_camera_cpu.
ours() {
  local pipeline="$dir/genicam-$1.toml" out="$dir/genicam-$1.h5" log="$dir/ours-$1.log" before
  local dropped_before dropped_items first last span
  rm -f "$out"
  cat >"$pipeline" <<TOML
[pipeline]
name = "genicam-bench"
output = "$out"
store = "$dir/store"

[stages.camera]
plugin = "genicam"
params = { camera = "127.0.0.1", pixel_format = "Mono16", width = $size, height = $size, frame_rate_hz = $1, duration_s = $seconds$socket_param$packet_param }
TOML
  start_camera
  before=$(cpu_of "$camera_pid")
  /usr/bin/time -f "%U %S" -o "$dir/ours-$1.time" \
    "$macroscope" run -q --no-figures --plugin-path "$plugins" "$pipeline" >"$log" 2>&1 \
    || echo "macroscope run failed at $1 Hz: $log" >&2
  our_camera_cpu=$(awk -v a="$before" -v b="$(cpu_of "$camera_pid")" 'BEGIN { print b - a }')
  stop_camera
  our_cpu=$(cpu_in "$dir/ours-$1.time")
  [ -f "$out" ] || { echo "no run file $out: $log" >&2; cat "$log" >&2; exit 1; }
  file_bytes=$(stat -c %s "$out")
  read -r status frames raw_bytes dropped_before dropped_items first last span \
    < <("$python" benches/genicam/run_file.py "$out" camera)
  sink_dropped=$(sed -n 's/^ *camera  *[0-9,]* items, \([0-9,]*\) dropped.*/\1/p' "$log" | tr -d ,)
  sink_dropped=${sink_dropped:-0}
  lost=$((dropped_before + dropped_items - sink_dropped))
  sent_frames=$((frames > 0 ? last - first + 1 : 0))
  sent_rate=$(awk -v f="$first" -v l="$last" -v s="$span" 'BEGIN { print (s > 0 ? (l - f) / s : 0) }')
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$out"
}

echo "genicam bench: Mono16 ${size}x${size} ($((size * size * 2)) bytes a frame), ${seconds} s per rate, $(date -u +%FT%TZ)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), net.core.rmem_max $(sysctl -n net.core.rmem_max)"
echo "peer: arv-camera-test-0.8 --no-packet-socket -a (receives, stores nothing); ours: $macroscope"
printf '%-6s | %-14s | %-9s | %-5s | %-6s | %-13s | %-4s | %-4s | %-26s | %s\n' "asked" "peer fr/s" "ours fr/s" \
  "ratio" "sent/s" "MB/s raw/file" "lost" "sink" "CPU s/s ours/peer/cam×2" "CPU ms/frame ours/peer/cam"
best_ours=
best_peer=
higher() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 > a + 0) ? b : a }'; }
for rate in $rates; do
  peer "$rate"
  ours "$rate"
  [ "$status" = complete ] || echo "run at $rate Hz ended $status: $dir/ours-$rate.log" >&2
  awk -v r="$rate" -v pf="$peer_frames" -v pl="$peer_lost" -v f="$frames" -v raw="$raw_bytes" \
      -v file="$file_bytes" -v lost="$lost" -v sink="$sink_dropped" -v sent="$sent_rate" -v s="$seconds" \
      -v oc="$our_cpu" -v pc="$peer_cpu" -v occ="$our_camera_cpu" -v pcc="$peer_camera_cpu" -v n="$sent_frames" 'BEGIN {
    pfs = pf / s; ofs = f / s
    printf "%-6s | %-14s | %-9.2f | %-5s | %-6.2f | %-13s | %-4d | %-4d | %-26s | %s\n",
      r " Hz", sprintf("%.2f (%d lost)", pfs, pl), ofs, (pfs > 0 ? sprintf("%.2f", ofs / pfs) : "-"), sent,
      sprintf("%.1f / %.1f", raw / s / 1e6, file / s / 1e6), lost, sink,
      sprintf("%.2f / %.2f / %.2f, %.2f", oc / s, pc / s, occ / s, pcc / s),
      sprintf("%.1f / %.1f / %.1f", (f > 0 ? oc * 1000 / f : 0), (pf > 0 ? pc * 1000 / pf : 0),
        (n > 0 ? occ * 1000 / n : 0)) }'
  if [ "$((lost + sink_dropped))" -eq 0 ] && [ "$status" = complete ]; then best_ours=$(higher "$best_ours" "$rate"); fi
  if [ "$peer_lost" -eq 0 ] && [ "$peer_frames" -gt 0 ]; then best_peer=$(higher "$best_peer" "$rate"); fi
done
echo "highest rate asked with zero losses: ours ${best_ours:-none}, peer ${best_peer:-none} (Hz)"
echo "logs: $dir"
