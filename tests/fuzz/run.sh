#!/bin/sh
# Runs one libFuzzer target for SECONDS from its checked-in seeds (tests/fuzz/corpus/NAME,
# never written) and what earlier runs found (WORKDIR, where new inputs and any crash go),
# with its dictionary (NAME.dict) when there is one. Exits non-zero on a crash, a leak, a
# sanitizer report or a hang of an input (-timeout).
#   usage: run.sh FUZZER SECONDS WORKDIR [libFuzzer options...]
set -eu
fuzzer=$1 seconds=$2
mkdir -p "$3"
work=$(cd "$3" && pwd) # absolute: a target may change its directory (fuzz_cli does)
shift 3
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$fuzzer")
dict=""
[ -f "$here/$name.dict" ] && dict="-dict=$here/$name.dict"
mkdir -p "$work/found" "$work/artifacts"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" $dict "$@" "$work/found" "$here/corpus/$name"
