# SPDX-License-Identifier: GPL-2.0
#
# psxtimer: the human entry point. See README.md.
#
#   make            build psxtimer.ko for KDIR
#   make run        boot the stock Debian 6.12 kernel in QEMU and show a demo
#   make check      every test tier; ends with "N passed, N failed"
#   make bench      psxtimer vs the kernel's POSIX timers: table, JSON, plot, and
#                   the instruction counts gated against bench/baseline.json
#                   (UPDATE_BASELINE=1 writes it instead); KERNEL=rt (or any
#                   other of scripts/lib.sh) runs it there, against
#                   bench/baseline-rt.json
#   make stress     minutes of random timer traffic on the debug kernel
#   make fuzz       a million malformed ioctls on the debug kernel
#   make install    module, library, header, pkg-config file, tool, interposer
#                   and man pages (PREFIX=/usr/local, DESTDIR=); make uninstall
#   make clean

# The running kernel's build tree when it has one, else the stock kernel's
# headers (Debian's 6.12, named in scripts/lib.sh).
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(wildcard $(shell bash -c '. scripts/lib.sh && echo /usr/src/linux-headers-$$(stock_kver)')))

PWD := $(CURDIR)

.PHONY: all modules run check bench stress fuzz clean setup install uninstall

all: modules

modules:
	@test -n "$(KDIR)" || { echo "psxtimer: no kernel build tree; run scripts/setup or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) modules
	@scripts/check-module psxtimer.ko

setup:
	scripts/setup

run:
	scripts/setup
	scripts/run-demo

check:
	scripts/setup
	scripts/check

bench:
	scripts/setup
	scripts/bench $(if $(KERNEL),--kernel $(KERNEL)) $(if $(filter-out 0,$(UPDATE_BASELINE)),--update-baseline)

# STRESS_ARGS / FUZZ_ARGS replace the defaults (scripts/robust).
stress:
	scripts/setup
	scripts/robust stress $(STRESS_ARGS)

fuzz:
	scripts/setup
	scripts/robust fuzz $(FUZZ_ARGS)

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	rm -rf build bench/results.*

# --- make install / make uninstall --------------------------------------------
# The module goes where modprobe finds it, under DESTDIR only; everything
# else under DESTDIR + PREFIX. MODULE= installs a module already built for
# KDIR instead of building ./psxtimer.ko (scripts/check-install installs
# build/stock/psxtimer.ko that way, in seconds).
PREFIX ?= /usr/local
MODULE ?=
KVER = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
LIBVER := 0.1.0
LIBBUILD := $(CURDIR)/build/lib
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/extra
BINDIR = $(DESTDIR)$(PREFIX)/bin
LIBDIR = $(DESTDIR)$(PREFIX)/lib
# The interposer also where ld.so's $$LIB points, 64-bit (Debian:
# lib/x86_64-linux-gnu, a link) and i386 (lib32), so that one
# LD_PRELOAD='$(PREFIX)/$$LIB/psxtimer-preload.so' serves both kinds of program.
LIB32DIR = $(DESTDIR)$(PREFIX)/lib32
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
INCDIR = $(DESTDIR)$(PREFIX)/include
MANDIR = $(DESTDIR)$(PREFIX)/share/man
# psx_timer_create(3) documents every call; each has its own name too.
MAN3_LINKS := psx_timer_settime psx_timer_gettime psx_timer_delete psx_timer_getoverrun \
	psx_clock_gettime psx_clock_settime psx_clock_getres psx_port_create psx_port_get \
	psx_port_getn
# depmod and ldconfig live in sbin, which a user's PATH may lack.
SBINPATH := PATH="$$PATH:/sbin:/usr/sbin"
# Under a DESTDIR, the kernel's own modules.order and modules.builtin are
# not there, and depmod says so for each: that is expected, not a problem.
DEPMOD = echo "depmod $(if $(DESTDIR),-b $(DESTDIR) )$(KVER)"; \
	out=$$(depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER) 2>&1); rc=$$?; \
	[ -z "$$out" ] || printf '%s\n' "$$out" | grep -v 'WARNING: could not open modules\.' >&2; \
	exit $$rc

install: $(if $(MODULE),,modules)
	@test -n "$(KVER)" || { echo "psxtimer: no $(KDIR)/include/config/kernel.release; pass KDIR=" >&2; exit 1; }
	$(MAKE) -C src/lib O=$(LIBBUILD)
	install -D -m 644 $(or $(MODULE),psxtimer.ko) $(MODDIR)/psxtimer.ko
	install -d $(BINDIR) $(LIBDIR)/pkgconfig $(INCDIR) $(MANDIR)/man1 $(MANDIR)/man3 $(MANDIR)/man8
	install -m 755 $(LIBBUILD)/psxtimer $(BINDIR)/psxtimer
	install -m 644 $(LIBBUILD)/libpsxtimer.a $(LIBDIR)/libpsxtimer.a
	install -m 755 $(LIBBUILD)/libpsxtimer.so $(LIBDIR)/libpsxtimer.so.$(LIBVER)
	ln -sfn libpsxtimer.so.$(LIBVER) $(LIBDIR)/libpsxtimer.so.0
	ln -sfn libpsxtimer.so.0 $(LIBDIR)/libpsxtimer.so
	install -m 644 src/lib/psxtimer.h $(INCDIR)/psxtimer.h
	sed 's|^prefix=.*|prefix=$(PREFIX)|' $(LIBBUILD)/psxtimer.pc >$(LIBDIR)/pkgconfig/psxtimer.pc
	chmod 644 $(LIBDIR)/pkgconfig/psxtimer.pc
	@if [ -f $(LIBBUILD)/psxtimer-preload.so ]; then set -e; \
		echo "install -m 755 $(LIBBUILD)/psxtimer-preload.so $(LIBDIR)/psxtimer-preload.so"; \
		install -m 755 $(LIBBUILD)/psxtimer-preload.so $(LIBDIR)/psxtimer-preload.so; \
		if [ -n "$(MULTIARCH)" ]; then \
			echo "ln -sfn ../psxtimer-preload.so $(LIBDIR)/$(MULTIARCH)/psxtimer-preload.so"; \
			install -d $(LIBDIR)/$(MULTIARCH); \
			ln -sfn ../psxtimer-preload.so $(LIBDIR)/$(MULTIARCH)/psxtimer-preload.so; \
		fi; \
	else echo "psxtimer: psxtimer-preload.so is not built; not installed"; fi
	@if [ -f $(LIBBUILD)/32/psxtimer-preload.so ]; then \
		echo "install -D -m 755 $(LIBBUILD)/32/psxtimer-preload.so $(LIB32DIR)/psxtimer-preload.so"; \
		install -D -m 755 $(LIBBUILD)/32/psxtimer-preload.so $(LIB32DIR)/psxtimer-preload.so; \
	fi
	install -m 644 src/lib/man/psxtimer.1 $(MANDIR)/man1/psxtimer.1
	install -m 644 src/lib/man/psx_timer_create.3 $(MANDIR)/man3/psx_timer_create.3
	for p in $(MAN3_LINKS); do echo '.so man3/psx_timer_create.3' >$(MANDIR)/man3/$$p.3 || exit 1; done
	install -m 644 src/lib/man/psxtimer-preload.8 $(MANDIR)/man8/psxtimer-preload.8
	@$(SBINPATH); if command -v depmod >/dev/null; then $(DEPMOD); \
	else echo "psxtimer: no depmod here; run 'depmod $(KVER)' on the target"; fi
	@$(SBINPATH); if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null; then \
		echo ldconfig; ldconfig; fi

uninstall:
	@test -n "$(KVER)" || { echo "psxtimer: no $(KDIR)/include/config/kernel.release; pass KDIR=" >&2; exit 1; }
	rm -f $(MODDIR)/psxtimer.ko $(BINDIR)/psxtimer $(LIBDIR)/libpsxtimer.a \
		$(LIBDIR)/libpsxtimer.so.$(LIBVER) $(LIBDIR)/libpsxtimer.so.0 $(LIBDIR)/libpsxtimer.so \
		$(LIBDIR)/psxtimer-preload.so $(LIB32DIR)/psxtimer-preload.so \
		$(if $(MULTIARCH),$(LIBDIR)/$(MULTIARCH)/psxtimer-preload.so) \
		$(INCDIR)/psxtimer.h $(LIBDIR)/pkgconfig/psxtimer.pc \
		$(MANDIR)/man1/psxtimer.1 $(MANDIR)/man3/psx_timer_create.3 \
		$(patsubst %,$(MANDIR)/man3/%.3,$(MAN3_LINKS)) $(MANDIR)/man8/psxtimer-preload.8
	@$(SBINPATH); if command -v depmod >/dev/null && [ -d $(DESTDIR)/lib/modules/$(KVER) ]; then \
		$(DEPMOD); fi
	@$(SBINPATH); if [ -z "$(DESTDIR)" ] && command -v ldconfig >/dev/null; then \
		echo ldconfig; ldconfig; fi
