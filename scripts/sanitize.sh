#!/bin/sh
# The host-side code under AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer,
# built with clang beside the normal build (build-sanitize): the unit and cli tests (the
# PostgreSQL ones too), then each libFuzzer target for a short bounded run from its seeds
# (label fuzz, XB_FUZZ_SECONDS each). Any sanitizer report fails the test that caused it.
#   usage: scripts/sanitize.sh [ctest options...]
set -eu
cd "$(dirname "$0")/.."
CC=clang CXX=clang++ cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DXB_SANITIZE=ON -DXB_FUZZ=ON -DXB_FUZZ_SECONDS="${XB_FUZZ_SECONDS:-20}"
cmake --build build-sanitize -j"$(nproc)"
cd build-sanitize
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec ctest --output-on-failure -L '^(unit|cli|fuzz)$' "$@"
