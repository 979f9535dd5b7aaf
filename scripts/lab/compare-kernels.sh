#!/bin/sh
# compare-kernels.sh - the reviewer's "did this kernel make it slower?" workflow on real
# kernels: runs the suite in the lab under each Debian kernel, storing each run in the
# host's SQLite database labelled lab-<release>, then prints `xstate-bench compare` of the
# two. Under TCG every result is functional only: the table shows the workflow, not a verdict
# on the kernels.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
	cat <<USAGE
usage: compare-kernels.sh [OPTIONS] ABI[:FLAVOUR] ABI[:FLAVOUR]

  --db FILE         the host's SQLite results database (default \$XSTATE_BENCH_DB, else
                    ./xstate-bench.db); each lab run is added to it
  --suite S         suites run in the lab (default native,kvm,guest,kapi)
  --filter REGEX    only these cases
  --repetitions N   samples per case (default: run --quick's)
  --format F        compare's format: text, markdown, json, junit (default markdown)
  --bench PATH      the xstate-bench binary (default build/xstate-bench, else the one on PATH)
  --timeout S       seconds each lab run may take (default 1800)
  --no-module       do not build and load the xstate_bench module (host/module/build.sh
                    builds it against each kernel's own headers; its native/ring0 cases
                    run through it)

FLAVOUR is amd64 (default), rt-amd64 or cloud-amd64, e.g. 6.1.0-56 6.1.0-56:rt-amd64.
Exit status: compare's (0 nothing regressed, 1 something did, 2 error, 3 inconclusive); 125 when a
lab run failed.
USAGE
}

db=${XSTATE_BENCH_DB:-xstate-bench.db} suite=native,kvm,guest,kapi filter="" reps="" format=markdown
bench="$repo/build/xstate-bench" timeout=1800 module=yes
[ -x "$bench" ] || bench=$(command -v xstate-bench || echo "$bench") # an installed one
[ -x "$repo/host/module/build.sh" ] || module=no
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--no-module) module=no; shift; continue ;;
	--db | --suite | --filter | --repetitions | --format | --bench | --timeout)
		[ $# -ge 2 ] || { usage >&2; exit 2; } ;;
	-*) echo "compare-kernels: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
	case $1 in
	--db) db=$2 ;;
	--suite) suite=$2 ;;
	--filter) filter=$2 ;;
	--repetitions) reps=$2 ;;
	--format) format=$2 ;;
	--bench) bench=$2 ;;
	--timeout) timeout=$2 ;;
	esac
	shift 2
done
[ $# -eq 2 ] || { usage >&2; exit 2; }
case $db in postgresql:* | postgres:*) echo "compare-kernels: the lab VM has no network: use an SQLite file" >&2; exit 2 ;; esac

labels=""
for kernel in "$1" "$2"; do
	abi=${kernel%%:*}
	flavour=amd64
	[ "$kernel" = "$abi" ] || flavour=${kernel#*:}
	label="lab-$abi-$flavour"
	set -- --suite "$suite" --quick
	[ -z "$filter" ] || set -- "$@" --filter "$filter"
	[ -z "$reps" ] || set -- "$@" --repetitions "$reps"
	status=0
	[ "$module" = yes ] || set -- --no-module -- "$@"
	[ "$module" = no ] || set -- -- "$@"
	"$here/run-kernel.sh" --db "$db" --label "$label" --kernel "$abi" --flavour "$flavour" --bench "$bench" \
		--timeout "$timeout" "$@" >/dev/null || status=$?
	[ "$status" -le 1 ] || exit 125
	labels="$labels $label"
done
# shellcheck disable=SC2086 # two labels without spaces
exec "$bench" compare --db "$db" --format "$format" $labels
