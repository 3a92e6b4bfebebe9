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
	static void *operator new[](unsigned long size) noexcept
	{
		return psx_kzalloc(size);
	}
	static void operator delete[](void *p) noexcept
	{
		psx_kfree(p);
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

} // namespace psx

#endif /* PSXTIMER_CORE_OBJECT_H */
