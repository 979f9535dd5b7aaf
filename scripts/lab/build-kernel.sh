#!/bin/sh
# build-kernel.sh - builds a lab kernel from a source tree plus a directory of patches, with
# the project's config fragment (scripts/lab/kernel.config over `make tinyconfig`) and ccache,
# cached by (tree, config, patch set, compiler, this script): a second build of the same
# input finds the kernel built and costs a second. Prints the kernel root, laid out as the lab's extracted
# Debian kernels are: boot/vmlinuz-RELEASE, lib/modules/RELEASE (depmod'ed) and
# usr/src/linux-headers-RELEASE (the build tree, for out-of-tree modules), plus
# xb-kernel.txt saying what it is.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<USAGE
usage: build-kernel.sh [--tree TREE] [--patches DIR] [--config FRAGMENT] [--jobs N] [--key]

  --tree TREE        kernel source: a tarball (.tar.xz, .tar.gz, .tar) or a directory
                     that was never built in (default /usr/src/linux-source-6.1.tar.xz,
                     Debian's linux-source-6.1)
  --patches DIR      patches applied with patch -p1: in DIR/series order when DIR has one
                     (quilt), else every DIR/*.patch and *.diff by name (git format-patch)
  --config FRAGMENT  merged over tinyconfig (default scripts/lab/kernel.config); every
                     line of it must hold in the final .config
  --jobs N           make -j (default 2)
  --key              print the cache key and exit

The cache is \$XSTATE_BENCH_LAB_CACHE, else \${XDG_CACHE_HOME:-~/.cache}/xstate-bench/lab:
src/ (extracted trees), built/KEY/ (kernels), ccache/ (the compiler cache). Builds take
turns on a lock. The release is the tree's plus -xbKEY8; the exit status is 0 with the
root on stdout, 1 when the build failed (its log's end shown), 2 on bad arguments.
USAGE
}

bad() {
	echo "build-kernel: $*" >&2
	usage >&2
	exit 2
}

die() {
	echo "build-kernel: $*" >&2
	exit 1
}

tree=/usr/src/linux-source-6.1.tar.xz patches="" fragment="$here/kernel.config" jobs=2 key_only=no
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--key) key_only=yes; shift; continue ;;
	--tree | --patches | --config | --jobs) [ $# -ge 2 ] || bad "$1 needs a value" ;;
	*) bad "unknown argument $1" ;;
	esac
	case $1 in
	--tree) tree=$2 ;;
	--patches) patches=$2 ;;
	--config) fragment=$2 ;;
	--jobs) jobs=$2 ;;
	esac
	shift 2
done
case $jobs in '' | *[!0-9]*) bad "--jobs takes a number" ;; esac
[ -e "$tree" ] || bad "--tree $tree: no such file or directory (apt-get install linux-source-6.1)"
[ -f "$fragment" ] || bad "--config $fragment: no such file"
[ -z "$patches" ] || [ -d "$patches" ] || bad "--patches $patches: not a directory"
tree=$(realpath "$tree")
fragment=$(realpath "$fragment")

cache=${XSTATE_BENCH_LAB_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/xstate-bench/lab}
mkdir -p "$cache/src" "$cache/built" "$cache/ccache"
cache=$(realpath "$cache")

# The patches in the order they apply, one path a line.
patch_list() {
	[ -n "$patches" ] || return 0
	if [ -f "$patches/series" ]; then
		sed -e 's/#.*//' -e 's/[[:space:]].*//' -e '/^$/d' "$patches/series" | while read -r p; do
			[ -f "$patches/$p" ] || bad "$patches/series names $p, which is not there"
			echo "$patches/$p"
		done
	else
		find "$patches" -maxdepth 1 -type f \( -name '*.patch' -o -name '*.diff' \) | LC_ALL=C sort
	fi
}

# What identifies the tree: a tarball's sha256, a git checkout's commit and any local change,
# else every file's name, size and modification time.
tree_id() {
	if [ -f "$tree" ]; then
		sha256sum "$tree" | cut -c1-64
	elif [ -d "$tree/.git" ] || [ -f "$tree/.git" ]; then
		{ git -C "$tree" rev-parse HEAD; git -C "$tree" diff HEAD; git -C "$tree" status --porcelain; } | sha256sum | cut -c1-64
	else
		(cd "$tree" && find . -type f -printf '%P %s %T@\n' | LC_ALL=C sort) | sha256sum | cut -c1-64
	fi
}

plist=$(patch_list)
tid=$(tree_id)
key=$({
	echo "tree $tid"
	echo "base tinyconfig"
	cat "$fragment"
	gcc --version | head -n 1
	sha256sum <"$0" # how it is built
	echo "$plist" | while read -r p; do [ -z "$p" ] || { echo "patch $(basename "$p")"; cat "$p"; }; done
} | sha256sum | cut -c1-16)
[ "$key_only" = no ] || { echo "$key"; exit 0; }
root="$cache/built/$key"
if [ -f "$root/.complete" ]; then
	echo "build-kernel: cached: $root ($(sed -n 's/^release //p' "$root/xb-kernel.txt"))" >&2
	echo "$root"
	exit 0
fi

exec 9>"$cache/.build.lock"
flock 9
if [ -f "$root/.complete" ]; then # built while this one waited for the lock
	echo "build-kernel: cached: $root ($(sed -n 's/^release //p' "$root/xb-kernel.txt"))" >&2
	echo "$root"
	exit 0
fi
start=$(date +%s)
rm -rf "$root"
mkdir -p "$root"

# The pristine tree: a tarball extracted once into src/; a directory used where it is.
if [ -f "$tree" ]; then
	src="$cache/src/$tid"
	if [ ! -f "$src/.complete" ]; then
		echo "build-kernel: extracting $tree" >&2
		rm -rf "$src"
		mkdir -p "$src"
		tar -xf "$tree" -C "$src" || die "extracting $tree failed"
		touch "$src/.complete"
	fi
	top=$(find "$src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
else
	top=$tree
fi
[ -f "$top/Makefile" ] && [ -d "$top/arch/x86" ] || die "$tree holds no kernel tree (no Makefile and arch/x86)"
[ ! -e "$top/.config" ] || die "$top has been configured in (.config): give a clean tree"

# The tree to build: links to the pristine files (cheap, same file system) or a copy; a
# file a patch touches is copied first, so the pristine one stays as it was.
echo "build-kernel: tree $top, $(echo "$plist" | grep -c . || true) patches" >&2
cp -al "$top" "$root/tree" 2>/dev/null || { rm -rf "$root/tree"; cp -a "$top" "$root/tree"; }
rm -rf "$root/tree/.git"
echo "$plist" | while read -r p; do
	[ -n "$p" ] || continue
	sed -n 's|^+++ [^/]*/\([^[:space:]]*\).*|\1|p' "$p" | while read -r f; do
		[ ! -f "$root/tree/$f" ] || { cp "$root/tree/$f" "$root/tree/$f.xb-copy" && mv "$root/tree/$f.xb-copy" "$root/tree/$f"; }
	done
	patch -d "$root/tree" -p1 --batch --forward --no-backup-if-mismatch --quiet <"$p" >"$root/patch.log" 2>&1 ||
		{ cat "$root/patch.log" >&2; die "$(basename "$p") does not apply"; }
done

# Configure: tinyconfig, the fragment merged over it, and every line of it checked.
build="$root/tree/build" # inside the tree: kbuild then names the sources ../, the same for every tree
export CCACHE_DIR="$cache/ccache" CCACHE_BASEDIR="$cache/built" CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-3G}"
export KBUILD_BUILD_TIMESTAMP="xstate-bench lab build" KBUILD_BUILD_USER=xstate-bench KBUILD_BUILD_HOST=lab
localversion="-xb$(echo "$key" | cut -c1-8)"
set -- -C "$root/tree" O=build CC="ccache gcc" HOSTCC="ccache gcc" LOCALVERSION="$localversion"
log="$root/build.log"
{
	make "$@" tinyconfig &&
		"$root/tree/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$fragment" &&
		make "$@" olddefconfig
} >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "configuring failed"; }
grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$fragment" | while read -r line; do
	name=$(echo "$line" | sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1/; s/=.*//')
	grep -qxF "$line" "$build/.config" ||
		die "the config fragment's '$line' does not hold (the .config has: $(grep -E "^(# )?$name[= ]" "$build/.config" ||
			echo nothing); a dependency of it is missing from $fragment"
done
release=$(make -s "$@" kernelrelease)

echo "build-kernel: building $release (make -j$jobs, log $log)" >&2
make "$@" -j"$jobs" bzImage modules >>"$log" 2>&1 || { tail -n 40 "$log" >&2; die "the build failed"; }
make "$@" INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "modules_install failed"; }
mkdir -p "$root/boot" "$root/usr/src"
cp "$build/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$release"
cp "$build/.config" "$root/boot/config-$release"
cp "$build/System.map" "$root/boot/System.map-$release"
rm -f "$root/lib/modules/$release/build" "$root/lib/modules/$release/source"
ln -s ../../tree/build "$root/usr/src/linux-headers-$release"
ln -s ../../../tree/build "$root/lib/modules/$release/build"
# What out-of-tree modules need stays (configuration, generated headers, scripts, objtool,
# Module.symvers); the kernel's own objects go.
find "$build" -name '*.o' ! -path "$build/scripts/*" ! -path "$build/tools/*" -delete
rm -f "$build/vmlinux" "$build/vmlinux.o"

{
	echo "release $release"
	echo "key $key"
	if [ -f "$tree" ]; then
		pkg=$(dpkg-query -S "$tree" 2>/dev/null | cut -d: -f1 || true)
		echo "tree $(basename "$tree")${pkg:+ (Debian $pkg $(dpkg-query -W -f='${Version}' "$pkg"))}"
	elif git -C "$tree" rev-parse HEAD >/dev/null 2>&1; then
		echo "tree $tree at $(git -C "$tree" describe --always --dirty)"
	else
		echo "tree $tree"
	fi
	echo "config $(basename "$fragment") over tinyconfig, $(gcc --version | head -n 1)"
	echo "$plist" | while read -r p; do
		[ -n "$p" ] || continue
		# the Subject header of the patch's mail headers, its folded lines joined
		subject=$(awk '/^$/ { exit } s != "" && /^[ \t]/ { sub(/^[ \t]+/, " "); s = s $0; next }
			s != "" { exit } /^Subject:/ { s = $0; sub(/^Subject:[ \t]*/, "", s) } END { print s }' "$p" |
			sed 's/^\(\[[^]]*\] *\)*//')
		echo "patch $(basename "$p")${subject:+ $subject}"
	done
	echo "build_seconds $(($(date +%s) - start))"
} >"$root/xb-kernel.txt"
touch "$root/.complete"
echo "build-kernel: built $release in $(($(date +%s) - start)) s: $root" >&2
echo "$root"
