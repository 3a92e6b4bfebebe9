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
#   7.3    today's mainline: Debian's linux-source-7.3 (trixie-backports,
#          fetched by scripts/fetch-deb, since Debian 12 cannot install its
#          7.x headers), built the same way with the same fragment, but for
#          KASAN and kmemleak (scripts/mainline-kernel.config)
#   7.3-bench  the same 7.3 without any debugging (scripts/bench-kernel.config),
#          for make bench KERNEL=7.3-bench only
# Debian's kernels are named by their exact release, here and nowhere else:
# a glob is not a name (linux-headers-6.12.*-amd64 also matches the
# -rt-amd64 headers, and sort -V puts those last). When Debian moves a
# series to a new ABI, change its line here.
PSX_KERNELS="stock 6.1 rt debug 7.3 7.3-bench"

# The kernels built from source: where the source comes from.
MAINLINE_SUITE=trixie-backports
MAINLINE_SOURCE=linux-source-7.3

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
		"$PSX_TOP/scripts/build-kernel" "$1"
	fi
}

# The Debian package version of a built kernel's source.
source_version() {
	case "$1" in
	debug)
		dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
			die "linux-source-6.12 is not installed (run scripts/setup)" ;;
	7.3 | 7.3-bench)
		local deb
		deb=$("$PSX_TOP/scripts/fetch-deb" "$MAINLINE_SUITE" "$MAINLINE_SOURCE") || exit 1
		dpkg-deb -f "$deb" Version ;;
	*) die "'$1' is not built from source" ;;
	esac
}

# The config fragments of a built kernel, merged in this order over
# tinyconfig.
kernel_fragments() {
	case "$1" in
	debug) echo "$PSX_TOP/scripts/debug-kernel.config" ;;
	7.3) echo "$PSX_TOP/scripts/debug-kernel.config $PSX_TOP/scripts/mainline-kernel.config" ;;
	7.3-bench) echo "$PSX_TOP/scripts/debug-kernel.config $PSX_TOP/scripts/mainline-kernel.config" \
		"$PSX_TOP/scripts/bench-kernel.config" ;;
	*) die "'$1' is not built from source" ;;
	esac
}

# Source version and config hash key a built kernel in the cache.
built_kernel_dir() {
	local srcver key prefix=
	srcver=$(source_version "$1") || exit 1
	# shellcheck disable=SC2046
	key=$(cat $(kernel_fragments "$1") | sha256sum | cut -c1-12)
	[ "$1" = debug ] || prefix=$1-
	echo "$PSX_CACHE/kernel-$prefix$srcver-$key"
}

debug_kernel_dir() { built_kernel_dir debug; }

# Extract a kernel source tarball into DIR once, under a lock (make check
# and vm-run may race); COMMAND... writes the .tar.xz on stdout.
#   extract_once DIR WHAT COMMAND...
extract_once() {
	local src=$1 what=$2
	shift 2
	[ -f "$src/.psxtimer-extracted" ] && return
	mkdir -p "$PSX_CACHE"
	exec 8>"$src.lock"
	flock 8
	[ -f "$src/.psxtimer-extracted" ] && return
	say "extracting $what into $src"
	rm -rf "$src"
	mkdir -p "$src"
	"$@" | tar -xJf - -C "$src" --strip-components=1 || die "cannot extract $what"
	touch "$src/.psxtimer-extracted"
}

# Debian's 7.3 source, extracted once into the cache; printed on stdout.
mainline_src_dir() {
	local deb srcver src
	deb=$("$PSX_TOP/scripts/fetch-deb" "$MAINLINE_SUITE" "$MAINLINE_SOURCE") || exit 1
	srcver=$(dpkg-deb -f "$deb" Version)
	src=$PSX_CACHE/linux-source-7.3-$srcver
	extract_once "$src" "$MAINLINE_SOURCE $srcver" sh -c \
		'dpkg-deb --fsys-tarfile "$1" | tar -xOf - ./usr/src/linux-source-7.3.tar.xz' _ "$deb"
	echo "$src"
}

# Debian's kernel source, extracted once into the cache; printed on stdout.
ksrc_dir() {
	local srcver src
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed (run scripts/setup)"
	src=$PSX_CACHE/linux-source-$srcver
	extract_once "$src" "linux-source-6.12 $srcver" cat /usr/src/linux-source-6.12.tar.xz
	echo "$src"
}

# The kernel image QEMU boots.
kernel_image() {
	local v
	check_kernel_name "$1"
	if v=$(debian_kver "$1"); then
		echo "/boot/vmlinuz-$v"
	else
		echo "$(built_kernel_dir "$1")/arch/x86/boot/bzImage"
	fi
}

# Shell-quote one word for the guest's busybox sh.
squote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}
