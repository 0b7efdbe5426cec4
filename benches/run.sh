#!/usr/bin/env bash
# Runs the storage-sink benchmark against h5py in the same run (release build).
# The h5py peer creates benches/.venv with numpy and h5py on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench -p macroscope --bench store_sink "$@"
