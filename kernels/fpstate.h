/*
 * fpstate.h - the fpstate container: one XSAVE buffer together with what describes it, after
 * the kernel's struct fpstate (arch/x86/include/asm/fpu/types.h): the buffer's size and the
 * components it holds, the user (UABI) view of them, the IA32_XFD value that goes with it,
 * and whether it belongs to a guest. A task or a guest owns a pointer to a container;
 * switching state swaps such pointers and never rewrites a container's description.
 *
 * Freestanding: no allocation of its own. A container lives in caller-provided memory
 * (fpstate_init) or in memory from a caller-supplied allocator (fpstate_alloc), and the
 * machine's layout is always passed in.
 *
 * Stable API: the switch strategies (fpu_switch.h), the host benchmarks, the guest payload
 * and the kernel module use it.
 */
#ifndef XB_KERNELS_FPSTATE_H
#define XB_KERNELS_FPSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xstate_layout.h"

struct fpstate {
	uint32_t size;           /* bytes of regs[]: the buffer sized for xfeatures */
	uint32_t user_size;      /* bytes of the UABI image (standard format) of user_xfeatures,
				  * as signal frames and ptrace see it */
	uint64_t xfeatures;      /* the components the buffer holds: the save and restore mask */
	uint64_t user_xfeatures; /* xfeatures that are user components (XCR0) */
	uint64_t xfd;            /* IA32_XFD while this fpstate is in use: the dynamic features
				  * it has no room for (a guest's: what the guest armed) */
	uint32_t container_bytes; /* the whole container: this header and regs[] */
	uint32_t room;           /* bytes regs[] may hold: size, or more in a container made in
				  * larger memory (the pre-5.16 buffers, each as long as the
				  * kernel's whole buffer whatever the features in use) */
	bool compacted;          /* regs[] in the compacted format (XSAVEC/XSAVES) */
	bool is_guest;           /* a guest's fpstate */
	bool in_use;             /* a guest fpstate currently swapped in as the task's */
	bool allocated;          /* from an allocator (the kernel's is_valloc): freed on realloc */
	uint8_t regs[] __attribute__((aligned(64))); /* the XSAVE buffer, 64-byte aligned */
};

/*
 * Memory for containers: @alloc returns @bytes of zeroed, 64-byte aligned memory (as the
 * kernel's vzalloc) or NULL; @free gives it back. Neither may touch the extended registers:
 * they run between a switch's save and restore.
 */
struct fpstate_allocator {
	void *(*alloc)(void *ctx, size_t bytes);
	void (*free)(void *ctx, void *mem, size_t bytes);
	void *ctx;
};

/* Bytes of a container for @xfeatures in the given format: header and buffer, a multiple of 64. */
uint32_t fpstate_container_bytes(const struct xstate_layout *l, uint64_t xfeatures, bool compacted);

/*
 * The XFD value of a task's fpstate holding @xfeatures: every XFD-capable feature it lacks
 * when the CPU has XFD (CPUID.(0DH,1):EAX[4]), else 0. A guest's fpstate starts at 0.
 */
uint64_t fpstate_default_xfd(const struct xstate_layout *l, uint64_t xfeatures);

/*
 * Makes a container in @mem (64-byte aligned, @mem_bytes >= fpstate_container_bytes())
 * holding @xfeatures, every component in its init state: FCW and MXCSR at their defaults,
 * XSTATE_BV = 0, XCOMP_BV = bit 63 | xfeatures when compacted. The whole of @mem is zeroed
 * and is the container's room. Returns NULL when @mem is misaligned or too small, or
 * @xfeatures is not enabled in the layout.
 */
struct fpstate *fpstate_init(void *mem, uint32_t mem_bytes, const struct xstate_layout *l,
			     uint64_t xfeatures, bool compacted, bool is_guest);

/* fpstate_init() in memory from @a; NULL when the allocator fails. */
struct fpstate *fpstate_alloc(const struct fpstate_allocator *a, const struct xstate_layout *l,
			      uint64_t xfeatures, bool compacted, bool is_guest);

/* Gives an allocated container back to @a; containers in caller memory are left alone. */
void fpstate_free(const struct fpstate_allocator *a, struct fpstate *fps);

/*
 * Copies the first @bytes of @src's buffer into @dst's (the pre-5.16 KVM memcpy between
 * buffers), with REP MOVSB as the kernel's memcpy does on x86-64. Both must have the room
 * and the same format; false, and nothing copied, otherwise.
 */
bool fpstate_copy_regs(struct fpstate *dst, const struct fpstate *src, uint32_t bytes);

enum fpstate_check {
	FPSTATE_OK,
	FPSTATE_XSTATE_BV, /* XSTATE_BV has bits outside xfeatures */
	FPSTATE_XCOMP_BV,  /* XCOMP_BV is not bit 63 | xfeatures (compacted) or 0 (standard) */
	FPSTATE_RESERVED,  /* header bytes 16..63 are not zero (XRSTOR would #GP) */
	FPSTATE_SIZE,      /* size or user_size disagrees with the layout for xfeatures */
};

/*
 * Checks the container's header against its description; on failure stores the expected
 * and found values in *@expected and *@actual.
 */
enum fpstate_check fpstate_check_header(const struct xstate_layout *l, const struct fpstate *fps,
					uint64_t *expected, uint64_t *actual);

#endif
