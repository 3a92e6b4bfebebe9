# shellcheck shell=bash
# Shared paths and helpers for psxtimer's scripts. Sourced, never run.

PSX_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PSX_CACHE=${PSXTIMER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/psxtimer}
PSX_BUILD=$PSX_TOP/build

die() { echo "psxtimer: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

# The stock Debian 6.12 kernel the project tests on: the newest one installed
# (the plain amd64 flavour: linux-headers-6.12.*-rt-amd64 matches the glob too).
stock_kver() {
	local v
	v=$(cd /usr/src && ls -d linux-headers-6.12.*-amd64 2>/dev/null | grep -v -- '-rt-amd64$' |
		sed 's/^linux-headers-//' | sort -V | tail -n 1)
	[ -n "$v" ] || die "no linux-headers-6.12.*-amd64 installed (run scripts/setup)"
	echo "$v"
}

# Source version and config hash key the debug kernel in the cache.
debug_kernel_dir() {
	local srcver key
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed (run scripts/setup)"
	key=$(cat "$PSX_TOP/scripts/debug-kernel.config" | sha256sum | cut -c1-12)
	echo "$PSX_CACHE/kernel-$srcver-$key"
}

# Debian's kernel source, extracted once into the cache; printed on stdout.
ksrc_dir() {
	local srcver src
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed (run scripts/setup)"
	src=$PSX_CACHE/linux-source-$srcver
	if [ ! -f "$src/.psxtimer-extracted" ]; then
		mkdir -p "$PSX_CACHE"
		exec 8>"$src.lock"
		flock 8
	fi
	if [ ! -f "$src/.psxtimer-extracted" ]; then
		say "extracting linux-source-6.12 $srcver into $src"
		rm -rf "$src"
		mkdir -p "$src"
		tar -xf /usr/src/linux-source-6.12.tar.xz -C "$src" --strip-components=1
		touch "$src/.psxtimer-extracted"
	fi
	echo "$src"
}

# Kernel image for "stock" or "debug".
kernel_image() {
	case "$1" in
	stock) echo "/boot/vmlinuz-$(stock_kver)" ;;
	debug) echo "$(debug_kernel_dir)/arch/x86/boot/bzImage" ;;
	*) die "unknown kernel '$1' (stock or debug)" ;;
	esac
}

# Shell-quote one word for the guest's busybox sh.
squote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}
