// SPDX-License-Identifier: GPL-2.0
/*
 * Module-wide state of the timer subsystem: the tunables fixed at load
 * (illumos clock_timer_init()) and the version/limits query.
 */
#include <psxtimer/core.h>
#include <psxtimer/kapi.h>
#include <psxtimer/version.h>

#include "timer.h"

namespace psx {

/*
 * Written once by clock_timer_init() before /dev/psxtimer exists and never
 * again, so readers need no lock. Zero-initialised: no static constructor.
 */
static psx_tunables effective;

const psx_tunables &tunables()
{
	return effective;
}

} // namespace psx

extern "C" int psx_tunables_resolve(const psx_tunables *in, psx_tunables *out)
{
	if (in->ncpus == 0 || in->timer_max < 0 ||
	    in->timer_max > PSX_TIMER_MAX_CEILING ||
	    in->highres_interval_min_ns >= psx::NANOSEC)
		return -PSX_EINVAL;

	*out = *in;
	if (in->timer_max == 0) {
		// illumos: timer_max = MAX(_TIMER_MAX, 4 * max_ncpus).
		unsigned long long derived = 4ULL * in->ncpus;

		derived = psx::max<unsigned long long>(derived,
						       PSX_TIMER_MAX_FLOOR);
		derived = psx::min<unsigned long long>(derived,
						       PSX_TIMER_MAX_CEILING);
		out->timer_max = static_cast<int>(derived);
	}
	return 0;
}

extern "C" int clock_timer_init(const psx_tunables *t)
{
	return psx_tunables_resolve(t, &psx::effective);
}

extern "C" void clock_timer_fini(void)
{
	psx::effective = psx_tunables{};
}

extern "C" void psx_core_info(psx_info *out)
{
	*out = psx_info{};
	out->version_major = PSXTIMER_VERSION_MAJOR;
	out->version_minor = PSXTIMER_VERSION_MINOR;
	out->version_patch = PSXTIMER_VERSION_PATCH;
	out->timer_max = static_cast<unsigned int>(psx::effective.timer_max);
	out->highres_interval_min_ns = psx::effective.highres_interval_min_ns;
}
