/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the KUnit suites use beyond the door (include/psxtimer/): a table of
 * their own, attached to no process. The glue implements it
 * (src/kernel/lifecycle.c, exported to KUnit only), and so does the host's
 * fake kernel (kunit/host/host_kapi.c).
 */
#ifndef PSXTIMER_KUNIT_H
#define PSXTIMER_KUNIT_H

#include <psxtimer/core.h>

struct psx_kproc *psx_kproc_alloc(void);
void psx_kproc_free(struct psx_kproc *kp);
struct psx_proc *psx_kproc_table(struct psx_kproc *kp);

/* timer_create in one step, as the glue makes it when the copy-out works. */
static inline int psx_test_create(struct psx_proc *p, int clock,
				  const struct psx_sigevent *sev, int *id)
{
	struct psx_itimer *it;
	int err = psx_timer_create(p, clock, sev, id, &it);

	if (!err)
		psx_timer_create_done(p, it, 0);
	return err;
}

/* Timers alive in the table, counted as PSXTIMER_IOC_STAT would. */
static inline int psx_test_ntimers(struct psx_proc *p)
{
	struct psx_timer_stat batch[4];
	int next = 0, n, total = 0;

	do {
		n = psx_timer_stat(p, &next, batch, 4);
		total += n;
	} while (n == 4);
	return total;
}

#endif /* PSXTIMER_KUNIT_H */
