#!/bin/sh
# run-kernel.sh - one kernel's run in the lab, added to a host SQLite database: builds the
# xstate_bench module against the kernel's own build tree (unless --no-module), boots the
# kernel (a Debian package, or a kernel root from build-kernel.sh) with the module and
# kvm_amd loaded, runs `xstate-bench run` there with the database put in and brought back,
# and prints the new run's id. What compare-kernels.sh and compare-series.py run per kernel.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
	cat <<USAGE
usage: run-kernel.sh --db FILE --label L (--kernel ABI [--flavour F] | --root DIR)
                     [--no-module] [--module-out DIR] [--bench PATH] [--timeout S]
                     [--accel tcg|kvm] -- RUN-OPTION...

  --db FILE         the host's SQLite database (created when missing); the run is added
  --label L         the run's label
  --kernel ABI      a Debian kernel (lab.sh fetch), with --flavour (default amd64)
  --root DIR        a kernel root: DIR/boot/vmlinuz-RELEASE, DIR/lib/modules/RELEASE and
                    its build tree at DIR/usr/src/linux-headers-RELEASE
  --no-module       neither build nor load the xstate_bench module
  --module-out DIR  where the module is built (default beside the bench binary)
  --bench PATH      the xstate-bench binary (default build/xstate-bench, else the one on PATH)
  --timeout S       seconds the lab run may take (default 1800)
  --accel A         tcg (default) or kvm, as lab.sh
  RUN-OPTION...     options of xstate-bench run (--suite, --filter, --quick, ...)

Prints the run id. Exit status 0, or 1 when a case failed its checks (the run is stored);
125 when the module, the lab or the run failed; 2 on bad arguments.
USAGE
}

bad() {
	echo "run-kernel: $*" >&2
	usage >&2
	exit 2
}

db="" label="" abi="" flavour=amd64 kroot="" module=yes modout="" bench="$repo/build/xstate-bench"
[ -x "$bench" ] || bench=$(command -v xstate-bench || echo "$bench") # an installed one
timeout=1800 accel=tcg
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	--no-module) module=no; shift; continue ;;
	--db | --label | --kernel | --flavour | --root | --module-out | --bench | --timeout | --accel)
		[ $# -ge 2 ] || bad "$1 needs a value" ;;
	*) bad "unknown argument $1" ;;
	esac
	case $1 in
	--db) db=$2 ;;
	--label) label=$2 ;;
	--kernel) abi=$2 ;;
	--flavour) flavour=$2 ;;
	--root) kroot=$2 ;;
	--module-out) modout=$2 ;;
	--bench) bench=$2 ;;
	--timeout) timeout=$2 ;;
	--accel) accel=$2 ;;
	esac
	shift 2
done
[ -n "$db" ] && [ -n "$label" ] || bad "want --db and --label"
case "${abi:+kernel}${kroot:+root}" in
kernel | root) ;;
*) bad "want one kernel: --kernel ABI or --root DIR" ;;
esac
case $db in postgresql:* | postgres:*) bad "the lab VM has no network: --db takes an SQLite file" ;; esac

if [ -n "$kroot" ]; then
	root=$kroot
	release=$(ls "$root/lib/modules")
else
	root=$("$here/lab.sh" fetch --kernel "$abi" --flavour "$flavour") || exit 125
	release="$abi-$flavour"
fi
insmod=""
if [ "$module" = yes ]; then
	out=${modout:-"$(dirname "$bench")/module-$release"}
	"$repo/host/module/build.sh" --kdir "$root/usr/src/linux-headers-$release" --out "$out" >&2 ||
		{ echo "run-kernel: building the module for $release failed" >&2; exit 125; }
	insmod="$out/xstate_bench.ko"
fi

# the host's database goes in and comes back with this kernel's run added
src=$db
[ -f "$db" ] || { src="$db.lab-new"; : >"$src"; }
lab_run() {
	if [ -n "$kroot" ]; then
		"$here/lab.sh" run --root "$kroot" "$@"
	else
		"$here/lab.sh" run --kernel "$abi" --flavour "$flavour" "$@"
	fi
}
status=0
lab_run --accel "$accel" --bench "$bench" --timeout "$timeout" ${insmod:+--insmod "$insmod"} \
	--put "$src:lab.db" --get "lab.db:$db" -- xstate-bench run "$@" --db lab.db --label "$label" >&2 || status=$?
rm -f "$db.lab-new"
# a case that failed its checks makes run exit 1; the run is still stored
[ "$status" -le 1 ] || { echo "run-kernel: the lab run under $release failed ($status)" >&2; exit 125; }
id=$(sqlite3 "$db" "SELECT max(id) FROM runs WHERE label = '$(echo "$label" | sed "s/'/''/g")'")
[ -n "$id" ] || { echo "run-kernel: no run labelled $label in $db after the lab run" >&2; exit 125; }
echo "$id"
exit "$status"
