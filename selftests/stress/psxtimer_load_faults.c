// SPDX-License-Identifier: GPL-2.0
/*
 * psxtimer_load_faults: insmod while an allocation fails. psx_init() has
 * an unwinding path for each step that can fail (the timer cache, the
 * exit/exec probes, the misc device; kallsyms_lookup_name's kprobe), and
 * none of them runs on a healthy kernel. Here failslab (the debug kernel's
 * CONFIG_FAILSLAB) fails the Nth slab allocation of finit_module
 * (/proc/thread-self/fail-nth), for each of the last --window allocations
 * a successful load makes, which are psx_init()'s own: every load must
 * either fail with nothing left (no module, no /dev/psxtimer) or succeed
 * with a working device (then it is unloaded again). The caller scans the
 * console for reports. Not kmemleak: a failure inside kmem_cache_create()'s
 * sysfs registration leaks the kernel's own kobject name on 6.12
 * (sysfs_slab_add() never puts the kobject it failed to add), which a leak
 * scan would pin on psxtimer; scripts/guest-check runs this after its scan.
 *
 *   psxtimer_load_faults MODULE.ko [--window N] [-v]
 *
 * PSX_FAILSLAB_VERBOSE=1 in the environment has failslab log each failure.
 *
 * Needs root, debugfs, and the module unloaded. Leaves it unloaded, and
 * failslab's filters as it found them. Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/psxtimer.h>

#include "../psxtimer.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

static void restore(const char *gfp, const char *filter)
{
	write_file(FAILSLAB "ignore-gfp-wait", gfp);
	write_file(FAILSLAB "cache-filter", filter);
}

/* Arm fail-nth for this thread; -1 on error. */
static int set_nth(unsigned int n)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", n);
	return write_file("/proc/thread-self/fail-nth", s);
}

/* What is left of it: 0 once the fault was injected. */
static long get_nth(void)
{
	char s[32];

	if (read_file("/proc/thread-self/fail-nth", s, sizeof(s)))
		return -1;
	return strtol(s, NULL, 10);
}

static int loaded(void)
{
	char line[256];
	FILE *f = fopen("/proc/modules", "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "psxtimer ", 9))
			found = 1;
	fclose(f);
	return found;
}

static int load(int ko)
{
	return syscall(SYS_finit_module, ko, "", 0) ? -errno : 0;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "psxtimer", O_NONBLOCK) ? -errno : 0;
}

/* The device of a loaded module answers INFO. */
static int device_works(void)
{
	struct psxtimer_info info = { 0 };
	int fd = open(PSXTIMER_DEVICE, O_RDWR), ok;

	if (fd < 0)
		return 0;
	ok = !ioctl(fd, PSXTIMER_IOC_INFO, &info) && info.timer_max > 0;
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	char saved_gfp[32] = "Y\n", saved_filter[32] = "N\n";
	int window = 64, verbose = 0, ko, err, bad = 0, failed = 0, loaded_anyway = 0, n;
	long total, left;
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODULE.ko [--window N] [-v]\n", argv[0]);
		return 2;
	}
	for (n = 2; n < argc; n++) {
		if (!strcmp(argv[n], "--window") && n + 1 < argc)
			window = atoi(argv[++n]);
		else if (!strcmp(argv[n], "-v"))
			verbose = 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..4\n");
	ko = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (ko < 0 || loaded() != 0) {
		printf("Bail out! %s: %s, or psxtimer is loaded\n", argv[1], strerror(errno));
		return 1;
	}
	/*
	 * GFP_KERNEL allocations are exempt unless failslab is told
	 * otherwise, and every cache is in play (fault_test filters them).
	 */
	read_file(FAILSLAB "ignore-gfp-wait", saved_gfp, sizeof(saved_gfp));
	read_file(FAILSLAB "cache-filter", saved_filter, sizeof(saved_filter));
	if (write_file(FAILSLAB "ignore-gfp-wait", "N") ||
	    write_file(FAILSLAB "cache-filter", "N") ||
	    write_file(FAILSLAB "verbose", getenv("PSX_FAILSLAB_VERBOSE") ? "1" : "0")) {
		printf("Bail out! cannot configure %s: %s\n", FAILSLAB, strerror(errno));
		return 1;
	}

	/*
	 * How many fault-injectable allocations a good load makes, once the
	 * kernel has seen the module: the first load of a boot makes more
	 * (gcov's nodes, the taint message...), which later ones do not.
	 */
	if (load(ko) || unload()) {
		printf("Bail out! the module does not load and unload: %s\n", strerror(errno));
		return 1;
	}
	if (set_nth(1000000)) {
		printf("Bail out! /proc/thread-self/fail-nth: %s\n", strerror(errno));
		return 1;
	}
	err = load(ko);
	left = get_nth();
	set_nth(0);
	total = 1000000 - left;
	if (err || left <= 0 || total <= 0 || unload()) {
		printf("not ok 1 load_faults: a load without faults works and counts its allocations (%s, %ld left)\n",
		       strerror(-err), left);
		restore(saved_gfp, saved_filter);
		return 1;
	}
	printf("ok 1 load_faults: a load without faults makes %ld injectable allocations\n", total);

	for (n = total; n > 0 && n > total - window; n--) {
		set_nth(n);
		err = load(ko);
		left = get_nth();
		set_nth(0);
		if (verbose)
			printf("# allocation %d: %s\n", n, left ? "not reached" :
			       err ? strerror(-err) : "loaded");
		if (left) {
			/* Fewer allocations this time: nothing was failed. */
			if (!err && unload())
				bad = 1;
			continue;
		}
		if (err) {
			failed++;
			if (loaded() != 0 || stat(PSXTIMER_DEVICE, &st) == 0) {
				printf("# allocation %d failed: load %s, but something is left\n", n,
				       strerror(-err));
				bad = 1;
			}
			continue;
		}
		/* A failure the load survives (a debugfs file, say): it must work. */
		loaded_anyway++;
		if (!device_works()) {
			printf("# allocation %d failed: loaded, but the device does not work\n", n);
			bad = 1;
		}
		if (unload()) {
			printf("# allocation %d failed: loaded, and will not unload\n", n);
			bad = 1;
		}
	}
	printf("# %d of the last %d allocations failed: %d loads refused, %d loaded anyway\n",
	       total < window ? (int)total : window, window, failed, loaded_anyway);
	printf("%sok 2 load_faults: each load with a failed allocation refused with nothing left, or working\n",
	       bad ? "not " : "");
	/* Else the window missed psx_init()'s allocations: make it wider. */
	printf("%sok 3 load_faults: some of those loads were refused\n", failed ? "" : "not ");
	if (!failed)
		bad = 1;
	err = load(ko);
	if (!err)
		err = unload();
	printf("%sok 4 load_faults: the module loads and unloads after them%s%s\n", err ? "not " : "",
	       err ? ": " : "", err ? strerror(-err) : "");
	restore(saved_gfp, saved_filter);
	return bad || err;
}
