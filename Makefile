# SPDX-License-Identifier: GPL-2.0
#
# psxtimer: the human entry point. See README.md.
#
#   make            build psxtimer.ko for KDIR
#   make run        boot the stock Debian 6.12 kernel in QEMU and show a demo
#   make check      every test tier; ends with "N passed, N failed"
#   make bench      psxtimer vs the kernel's POSIX timers: table, JSON, plot
#   make stress     minutes of random timer traffic on the debug kernel
#   make fuzz       a million malformed ioctls on the debug kernel
#   make clean

# The running kernel's build tree when it has one, else Debian's 6.12 headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-6.12.*-amd64))))

PWD := $(CURDIR)

.PHONY: all modules run check bench stress fuzz clean setup

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
	scripts/bench

# STRESS_ARGS / FUZZ_ARGS replace the defaults (scripts/robust).
stress:
	scripts/setup
	scripts/robust stress $(STRESS_ARGS)

fuzz:
	scripts/setup
	scripts/robust fuzz $(FUZZ_ARGS)

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(PWD) clean; fi
	rm -rf build bench
