/*
 * mem.h - the payload's memory: one arena for the buffers of the case being run (64-byte
 * aligned, zeroed), emptied between cases.
 */
#ifndef XB_GUEST_MEM_H
#define XB_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Enough for five buffers of the largest xstate image (AMX: about 11 KiB each) many times over. */
#define GUEST_ARENA_BYTES (1u << 20)

/* A zeroed, 64-byte aligned block, or NULL when the arena is full. */
void *arena_alloc(size_t size);
void arena_reset(void);

#endif
