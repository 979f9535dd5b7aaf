/*
 * mmap_alloc.h - the user-space stand-in for the kernel's vzalloc()/vfree() behind the
 * fpstate reallocation path: every container is its own anonymous mapping, populated
 * (zeroed pages) at allocation and unmapped when freed. Made with raw system calls, so it
 * can run between a switch's save and restore without touching the extended registers.
 */
#ifndef XB_HOST_NATIVE_MMAP_ALLOC_H
#define XB_HOST_NATIVE_MMAP_ALLOC_H

#include "../../kernels/fpstate.h"

/* Counts what went through it, so a benchmark can show the allocations happened. */
struct mmap_alloc_stats {
	uint64_t maps, unmaps;
};

/* An allocator whose ctx is @stats (may be NULL). */
struct fpstate_allocator mmap_allocator(struct mmap_alloc_stats *stats);

#endif
