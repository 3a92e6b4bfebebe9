# shellcheck shell=bash
# Shared paths and helpers for psxtimer's scripts. Sourced, never run.

PSX_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PSX_CACHE=${PSXTIMER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/psxtimer}
PSX_BUILD=$PSX_TOP/build

die() { echo "psxtimer: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

# --- The kernels ------------------------------------------------------------
# Every kernel psxtimer is built and tested against, by the short name that
# the scripts take (-k NAME) and make check's tiers carry:
#   stock  Debian 12's 6.12 (-amd64), the default
#   6.1    Debian 12's own 6.1 LTS kernel
#   rt     Debian 12's 6.12 with PREEMPT_RT (-rt-amd64)
#   debug  linux-source-6.12 with scripts/debug-kernel.config, built by
#          scripts/build-kernel into the cache
# Debian's kernels are named by their exact release, here and nowhere else:
# a glob is not a name (linux-headers-6.12.*-amd64 also matches the
# -rt-amd64 headers, and sort -V puts those last). When Debian moves a
# series to a new ABI, change its line here.
PSX_KERNELS="stock 6.1 rt debug"

# The release (uname -r) of one of Debian's kernels; fails for any other.
debian_kver() {
	case "$1" in
	stock) echo 6.12.117+deb12-amd64 ;;
	6.1) echo 6.1.0-57-amd64 ;;
	rt) echo 6.12.117+deb12-rt-amd64 ;;
	*) return 1 ;;
	esac
}

stock_kver() { debian_kver stock; }

# Dies unless NAME is one of PSX_KERNELS.
check_kernel_name() {
	case " $PSX_KERNELS " in
	*" $1 "*) ;;
	*) die "unknown kernel '$1' (one of: $PSX_KERNELS)" ;;
	esac
}

# The Debian packages of one of Debian's kernels: headers and image.
debian_kernel_packages() {
	local v
	v=$(debian_kver "$1") || die "'$1' is not one of Debian's kernels"
	echo "linux-headers-$v linux-image-$v-unsigned"
}

# The kernel build tree (KDIR) to build the module against. The debug
# kernel's is built on first use (minutes).
kernel_kdir() {
	local v
	check_kernel_name "$1"
	if v=$(debian_kver "$1"); then
		[ -d "/usr/src/linux-headers-$v" ] ||
			die "no /usr/src/linux-headers-$v (run scripts/setup)"
		echo "/usr/src/linux-headers-$v"
	else
		"$PSX_TOP/scripts/build-kernel"
	fi
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

# The kernel image QEMU boots.
kernel_image() {
	local v
	check_kernel_name "$1"
	if v=$(debian_kver "$1"); then
		echo "/boot/vmlinuz-$v"
	else
		echo "$(debug_kernel_dir)/arch/x86/boot/bzImage"
	fi
}

# Shell-quote one word for the guest's busybox sh.
squote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}
