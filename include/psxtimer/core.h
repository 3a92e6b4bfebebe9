/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The door into the C++ core: everything the C glue may call. The core is
 * timer logic only; it never sees a kernel structure. Implemented in
 * src/core/, called from src/kernel/ (and from kunit/ and the host tests).
 */
#ifndef PSXTIMER_CORE_H
#define PSXTIMER_CORE_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Tunables, fixed at load. As in illumos, timer_max "cannot be tuned on a
 * running system": the core copies it once in clock_timer_init().
 */
struct psx_tunables {
	int timer_max;		/* 0: derive from ncpus, as illumos does */
	unsigned int ncpus;	/* possible CPUs (nr_cpu_ids) */
};

/* Upper bound for timer_max: ids are ints and the id array must fit kmalloc. */
#define PSX_TIMER_MAX_CEILING (1 << 22)
/* illumos's _TIMER_MAX floor for the derived default. */
#define PSX_TIMER_MAX_FLOOR 32

/* What userspace learns from the info query (mirrored by the uapi struct). */
struct psx_info {
	unsigned int version_major;
	unsigned int version_minor;
	unsigned int version_patch;
	unsigned int timer_max;
};

/*
 * Validate tunables and derive the effective ones into *out. Pure: no state
 * is touched, so tests can call it with any input. Returns 0 or -EINVAL.
 */
int psx_tunables_resolve(const struct psx_tunables *in,
			 struct psx_tunables *out);

/* Module load/unload. clock_timer_init() returns 0 or a negative errno. */
int clock_timer_init(const struct psx_tunables *t);
void clock_timer_fini(void);

/* The version/limits query behind PSXTIMER_IOC_INFO. */
void psx_core_info(struct psx_info *out);

#ifdef __cplusplus
}
#endif

#endif /* PSXTIMER_CORE_H */
