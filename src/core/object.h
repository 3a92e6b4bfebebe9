/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C++ core's runtime contract. The core is a freestanding subset:
 * no exceptions, no RTTI, no libstdc++, no dynamic static initialisers.
 *
 * Every allocated core object derives from psx::Object, whose class-scoped
 * operator new goes to the kernel allocator and returns nullptr on failure;
 * -fcheck-new makes every new-expression test that before constructing.
 */
#ifndef PSXTIMER_CORE_OBJECT_H
#define PSXTIMER_CORE_OBJECT_H

#include <psxtimer/kapi.h>

namespace psx {

class Object {
public:
	static void *operator new(unsigned long size) noexcept
	{
		return psx_kzalloc(size);
	}
	static void operator delete(void *p) noexcept
	{
		psx_kfree(p);
	}
	/* Construction in memory the glue allocated with its own half. */
	static void *operator new(unsigned long, void *where) noexcept
	{
		return where;
	}

protected:
	Object() = default;
	~Object() = default;
};

template <typename T> constexpr const T &max(const T &a, const T &b)
{
	return a < b ? b : a;
}

template <typename T> constexpr const T &min(const T &a, const T &b)
{
	return b < a ? b : a;
}

/* A p_lock holder for a scope (illumos: mutex_enter/mutex_exit pairs). */
class PLockGuard {
public:
	explicit PLockGuard(struct psx_kproc *kp)
	    : kp_(kp)
	{
		psx_p_lock(kp_);
	}
	~PLockGuard()
	{
		psx_p_unlock(kp_);
	}
	PLockGuard(const PLockGuard &) = delete;
	PLockGuard &operator=(const PLockGuard &) = delete;

private:
	struct psx_kproc *kp_;
};

} // namespace psx

#endif /* PSXTIMER_CORE_OBJECT_H */
