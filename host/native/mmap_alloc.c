/*
 * mmap_alloc.c - fpstate containers in their own anonymous mappings.
 */
#include "mmap_alloc.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include "raw_syscall.h"

static void *map_zeroed(void *ctx, size_t bytes)
{
	struct mmap_alloc_stats *stats = ctx;
	long addr = raw_syscall6(SYS_mmap, 0, (long)bytes, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (addr < 0 && addr > -4096)
		return 0;
	if (stats)
		stats->maps++;
	return (void *)addr;
}

static void unmap(void *ctx, void *mem, size_t bytes)
{
	struct mmap_alloc_stats *stats = ctx;

	if (raw_syscall3(SYS_munmap, (long)mem, (long)bytes, 0) == 0 && stats)
		stats->unmaps++;
}

struct fpstate_allocator mmap_allocator(struct mmap_alloc_stats *stats)
{
	return (struct fpstate_allocator){ .alloc = map_zeroed, .free = unmap, .ctx = stats };
}
