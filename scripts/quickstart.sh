#!/bin/sh
# Installs the dependencies, builds, and runs the default native suite into ./xstate-bench.db.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
exec ./build/xstate-bench run "$@"
