// SPDX-License-Identifier: GPL-2.0
/*
 * The few runtime entry points g++ may emit calls to, so that the module
 * links without libstdc++/libsupc++. Global new/delete exist for code that
 * does not derive from psx::Object; like the class-scoped ones they return
 * nullptr on failure (-fcheck-new), never throw.
 */
#include <psxtimer/kapi.h>

void *operator new(unsigned long size)
{
	return psx_kzalloc(size);
}

void *operator new[](unsigned long size)
{
	return psx_kzalloc(size);
}

void operator delete(void *p) noexcept
{
	psx_kfree(p);
}

void operator delete[](void *p) noexcept
{
	psx_kfree(p);
}

void operator delete(void *p, unsigned long) noexcept
{
	psx_kfree(p);
}

void operator delete[](void *p, unsigned long) noexcept
{
	psx_kfree(p);
}

extern "C" void __cxa_pure_virtual();

void __cxa_pure_virtual()
{
	psx_bug("psxtimer: pure virtual function called");
}
