#!/bin/sh
# lab.sh - the test lab's one entry point: boots a Debian kernel (or one built from source,
# scripts/lab/build-kernel.sh) under QEMU TCG with `-cpu max` (emulated SVM, so kvm_amd gives
# a real nested /dev/kvm), or under KVM with `-cpu host` where the host has one, runs a
# command inside as root, prints its output, brings files out and exits with the command's
# status.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
	cat <<USAGE
usage: lab.sh run   [OPTIONS] -- COMMAND [ARG]...   run COMMAND as root in the lab VM
       lab.sh shell [OPTIONS]                       an interactive shell in the lab VM
       lab.sh fetch [--kernel ABI] [--flavour F]     fetch and extract a kernel; prints its root
       lab.sh check                                 say whether this machine can run the lab

options:
  --kernel ABI        Debian kernel ABI, e.g. 6.1.0-56 (default: what linux-image-amd64 depends on)
  --flavour F         amd64 (default), rt-amd64 or cloud-amd64
  --root DIR          boot this kernel instead: DIR/boot/vmlinuz-RELEASE with its modules in
                      DIR/lib/modules/RELEASE (depmod'ed), as build-kernel.sh makes it
  --accel A           tcg (default: QEMU emulates the CPU, -cpu max, timings functional only)
                      or kvm (the host's KVM, -cpu host: real timings; nested KVM inside
                      needs the host's nested virtualization)
  --put HOST[:GUEST]  copy a host file or directory into the VM (default GUEST: the same path;
                      relative paths are relative to the command's directory /lab/work);
                      a dynamic executable brings its shared libraries and loader along
  --get GUEST:HOST    copy GUEST out of the VM to HOST after the command
  --insmod KO         load this module after kvm and kvm_amd (e.g. one built against the
                      kernel's headers from 'lab.sh fetch')
  --bench PATH        the xstate-bench binary to put at /usr/bin/xstate-bench, with the guest
                      payload xstate-guest.elf beside it (from beside PATH, or from the
                      install's libexec/xstate-bench) when it is there
                      (default: build/xstate-bench when it exists, else xstate-bench on PATH)
  --timeout S         seconds the command may run (default 600); the VM gets S + 180 to boot
  --memory MIB        VM memory (default 2048)
  --cpus N            VM CPUs (default 1)
  --console           show the VM's console while it runs (it is always logged)
  --keep DIR          keep the work directory (initramfs, console.log) in DIR

The cache of Debian packages and extracted kernels is \$XSTATE_BENCH_LAB_CACHE, else
\${XDG_CACHE_HOME:-~/.cache}/xstate-bench/lab. Exit status: the command's; 124 when it ran
out of time; 125 when the lab itself failed (console log shown).
USAGE
}

die() {
	echo "lab: $*" >&2
	exit 125
}

bad() {
	echo "lab: $*" >&2
	usage >&2
	exit 2
}

cache=${XSTATE_BENCH_LAB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/xstate-bench/lab}
[ $# -ge 1 ] || { usage >&2; exit 2; }
action=$1
shift
case $action in
run | shell | fetch) ;;
check) exec "$here/check.sh" ;;
-h | --help | help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac

abi="" flavour=amd64 kroot="" accel=tcg timeout=600 memory=2048 cpus=1 keep="" console=run
bench="" puts="" gets="" insmods=""
# the build tree's, else an installed one (lab.sh installed under share/xstate-bench)
if [ -x "$repo/build/xstate-bench" ]; then
	bench="$repo/build/xstate-bench"
else
	bench=$(command -v xstate-bench || true)
fi
nl='
'
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	-h | --help) usage; exit 0 ;;
	--console) console=console; shift; continue ;;
	--kernel | --flavour | --root | --accel | --put | --get | --insmod | --bench | --timeout | --memory | --cpus | --keep)
		[ $# -ge 2 ] || bad "$1 needs a value" ;;
	*) bad "unknown option $1" ;;
	esac
	case $1 in
	--kernel) abi=$2 ;;
	--flavour) flavour=$2 ;;
	--root) kroot=$2 ;;
	--accel) accel=$2 ;;
	--put) puts="$puts$2$nl" ;;
	--get)
		case $2 in *:*) ;; *) bad "--get wants GUEST:HOST" ;; esac
		gets="$gets$2$nl" ;;
	--insmod) insmods="$insmods$2$nl" ;;
	--bench) bench=$2 ;;
	--timeout) timeout=$2 ;;
	--memory) memory=$2 ;;
	--cpus) cpus=$2 ;;
	--keep) keep=$2 ;;
	esac
	shift 2
done
case $timeout$memory$cpus in *[!0-9]*) bad "--timeout, --memory and --cpus take numbers" ;; esac
case $flavour in amd64 | rt-amd64 | cloud-amd64) ;; *) bad "unknown flavour $flavour" ;; esac
case $accel in tcg | kvm) ;; *) bad "unknown accelerator $accel (tcg or kvm)" ;; esac
[ -z "$kroot" ] || [ -z "$abi" ] || bad "--root and --kernel name two kernels"
[ -z "$kroot" ] || [ "$action" != fetch ] || bad "fetch takes a Debian kernel, not --root"
[ "$action" != run ] || [ $# -gt 0 ] || bad "run needs a command after --"
[ "$action" = run ] || [ $# -eq 0 ] || bad "$action takes no command"

if [ -n "$kroot" ]; then
	[ -d "$kroot/lib/modules" ] || bad "--root $kroot: no lib/modules in it"
	release=$(ls "$kroot/lib/modules")
	[ "$(echo "$release" | wc -l)" = 1 ] || bad "--root $kroot: want one release in lib/modules, found: $release"
	[ -f "$kroot/boot/vmlinuz-$release" ] || bad "--root $kroot: no boot/vmlinuz-$release"
	root=$kroot
fi
missing=$("$here/check.sh" --quiet) || die "$missing"
if [ "$accel" = kvm ]; then
	# a KVM that cannot run a guest's kernel (no VMX or SVM) would hang QEMU until the timeout
	[ -c /dev/kvm ] || die "--accel kvm: no /dev/kvm on this machine"
	probe=$([ -z "$bench" ] || "$bench" probe --json 2>/dev/null || true)
	if echo "$probe" | grep -q '"guest_mode":[[:space:]]*"classic"'; then
		die "--accel kvm: this /dev/kvm cannot boot the lab's kernel: $(echo "$probe" |
			sed -n 's/.*"guest_mode_detail":[[:space:]]*"\(.*\)",*$/\1/p')"
	fi
fi
default_abi() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n 1
}
if [ -z "$kroot" ] && [ -z "$abi" ]; then
	abi=$(default_abi)
	[ -n "$abi" ] || [ "$(id -u)" != 0 ] || { apt-get update -qq >&2 && abi=$(default_abi); } || true
	# offline: the newest kernel of this flavour already in the cache
	[ -n "$abi" ] || abi=$(ls -d "$cache/kernels/"*"-$flavour" 2>/dev/null |
			       grep -E "/[0-9][^/]*[0-9]-$flavour\$" | sort -V | tail -n 1 | sed "s|.*/||; s|-$flavour\$||")
	[ -n "$abi" ] || die "cannot tell the default kernel ABI (apt-cache depends linux-image-amd64); give --kernel"
fi
if [ -z "$kroot" ]; then
	root=$("$here/fetch-kernel.sh" "$cache" "$abi" "$flavour") || die "fetching kernel $abi-$flavour failed"
	[ "$action" = fetch ] && { echo "$root"; exit 0; }
	release="$abi-$flavour"
fi

work=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/xb-lab.XXXXXX")}
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
rm -rf "$work/stage" "$work/out" "$work/console.log" "$work/transfer.log"
stage="$work/stage"
mkdir -p "$stage/lab/work" "$work/out"

# what goes in: modules, the benchmark, --put files, the command
"$here/stage-modules.sh" "$root" "$release" "$stage" kvm_amd || die "staging kvm_amd failed"
echo "$insmods" | while read -r ko; do
	[ -n "$ko" ] || continue
	[ -f "$ko" ] || die "--insmod $ko: no such file"
	"$here/stage-file.sh" "$stage" "$ko" "/lab/modules.extra/$(basename "$ko")"
	echo "/lab/modules.extra/$(basename "$ko")" >>"$stage/lab/modules"
done
if [ -n "$bench" ]; then
	"$here/stage-file.sh" "$stage" "$bench" /usr/bin/xstate-bench || die "staging $bench failed"
	# the guest payload beside it, where xstate-bench looks for it
	payload="$(dirname "$bench")/xstate-guest.elf"
	[ -f "$payload" ] || payload="$(dirname "$bench")/../libexec/xstate-bench/xstate-guest.elf"
	[ ! -f "$payload" ] || "$here/stage-file.sh" "$stage" "$payload" /usr/bin/xstate-guest.elf ||
		die "staging $payload failed"
fi
echo "$puts" | while read -r spec; do
	[ -n "$spec" ] || continue
	host=${spec%%:*}
	guest=${spec#*:}
	[ "$spec" = "$host" ] && guest=$host
	case $guest in /*) ;; *) guest="/lab/work/$guest" ;; esac
	[ -e "$host" ] || die "--put $host: no such file"
	"$here/stage-file.sh" "$stage" "$host" "$guest" || die "staging $host failed"
done
echo "$gets" | while read -r spec; do
	[ -n "$spec" ] || continue
	guest=${spec%%:*}
	case $guest in /*) ;; *) guest="/lab/work/$guest" ;; esac
	echo "$guest"
done >"$stage/lab/gets"
for arg in "$@"; do
	printf "'%s' " "$(printf %s "$arg" | sed "s/'/'\\\\''/g")"
done >"$stage/lab/command"
echo "$timeout" >"$stage/lab/timeout"
"$here/pack-initramfs.sh" "$stage" "$work/initramfs.cpio.gz" || die "packing the initramfs failed"

# boot, then unpack what came out
[ "$action" = shell ] && console=shell
set +e
"$here/boot.sh" "$root/boot/vmlinuz-$release" "$work/initramfs.cpio.gz" "$work" "$console" \
	"$memory" "$cpus" $((timeout + 180)) "$accel"
qemu_status=$?
set -e
if ! "$here/unframe.sh" "$work/transfer.log" "$work/out"; then
	echo "lab: the VM brought nothing out (QEMU exit $qemu_status); the console's end:" >&2
	tail -n 40 "$work/console.log" >&2 2>/dev/null || true
	[ "$qemu_status" = 124 ] && exit 124
	exit 125
fi
[ "$console" = run ] && cat "$work/out/output"
status=$(cat "$work/out/status")
n=0
echo "$gets" | while read -r spec; do
	[ -n "$spec" ] || continue
	if [ -e "$work/out/files/$n" ]; then
		rm -rf "${spec#*:}"
		cp -a "$work/out/files/$n" "${spec#*:}"
	else
		echo "lab: --get ${spec%%:*}: no such file in the VM" >&2
		echo missing >"$work/out/missing"
	fi
	n=$((n + 1))
done
[ -e "$work/out/missing" ] && [ "$status" = 0 ] && exit 125
exit "$status"
