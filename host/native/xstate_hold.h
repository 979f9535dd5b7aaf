/*
 * xstate_hold.h - the extended state a thread keeps while the kernel's own xstate paths
 * run under it (context switches, signal delivery, ptrace): a feature set loaded with
 * recognisable values and every other component in its init state, then read back to
 * prove the kernel preserved it bit for bit. The control has every component in init.
 * Compiled without vector code; the caller provides the memory.
 */
#ifndef XB_HOST_NATIVE_XSTATE_HOLD_H
#define XB_HOST_NATIVE_XSTATE_HOLD_H

#include <stdbool.h>
#include <stdint.h>

#include "../../kernels/xstate_layout.h"

struct xstate_hold {
	const struct xstate_layout *layout;
	uint64_t in_use;    /* the components holding values (0: the init-state control) */
	uint64_t load_mask; /* what is loaded: in_use and every usable component in init */
	uint32_t size;      /* bytes of each buffer (standard format of load_mask) */
	uint32_t seed;      /* the image's values (xstate_image_build()), 0 for the control */
	void *image;        /* what is loaded */
	void *readback;     /* what a check saves the registers into */
};

/*
 * The components a hold loads for @in_use in a process permitted @usable: @in_use, x87 and
 * SSE, and every usable component except the dynamic ones (put in init, so the kernel sees exactly
 * @in_use in use) and PKRU (the kernel rewrites it on every switch).
 */
uint64_t xstate_hold_load_mask(const struct xstate_layout *l, uint64_t in_use, uint64_t usable);

/* Bytes of memory a hold needs (two 64-byte aligned buffers). */
uint32_t xstate_hold_bytes(const struct xstate_layout *l, uint64_t load_mask);

/* Builds the hold in @mem (64-byte aligned); false when @in_use cannot be patterned. */
bool xstate_hold_init(struct xstate_hold *h, const struct xstate_layout *l, uint64_t in_use,
		      uint64_t load_mask, uint32_t seed, void *mem);

/* Loads the hold into the registers (XRSTOR). */
void xstate_hold_load(const struct xstate_hold *h);

enum hold_check {
	HOLD_OK,
	HOLD_XINUSE,    /* XINUSE does not show exactly in_use in use */
	HOLD_XSTATE_BV, /* a save's XSTATE_BV does not show exactly in_use in use */
	HOLD_CONTENT,   /* a component's value changed */
};

struct hold_result {
	enum hold_check check;
	uint64_t expected, actual; /* XINUSE or XSTATE_BV bits, or the differing component's bit */
	uint64_t xinuse;           /* XGETBV(1) as read, 0 without XGETBV1 */
	uint64_t init_in_use;      /* x87 and SSE not held but found in use holding their init values */
};

/*
 * Checks the registers right after xstate_hold_load(): XINUSE (when the CPU has XGETBV1)
 * shows exactly in_use among load_mask, and a save of them matches the image component by
 * component.
 */
struct hold_result xstate_hold_check(const struct xstate_hold *h);

/*
 * x87 and SSE, where the hold keeps them in init, may be found in use holding their init
 * values after a kernel path, and that is all a check can ask of them there:
 *  - rt_sigreturn restores a signal frame whose XSTATE_BV always has x87 and SSE set
 *    (save_xstate_epilog(), arch/x86/kernel/fpu/signal.c, Linux 5.14 to 6.18), and an Intel
 *    CPU counts a component XRSTOR loaded as in use whatever its values (an AMD one does not);
 *  - a hypervisor under the machine may leave SSE in use at its init values at any moment,
 *    even under a thread that runs no instruction touching it (measured on a KVM guest of an
 *    Intel Xeon: several hundred times a second, more often than the guest's own interrupts).
 * Every other component must be exactly as held, and x87 and SSE must hold the hold's values.
 */
struct hold_result xstate_hold_check_after_path(const struct xstate_hold *h);

/*
 * The comparison of xstate_hold_check_after_path() on a standard-format save of load_mask
 * in @buf (a ptrace regset, say): XSTATE_BV, then the values.
 */
struct hold_result xstate_hold_compare(const struct xstate_hold *h, const void *buf);

/*
 * The held components' values alone, whatever XINUSE and XSTATE_BV say of the others: for
 * a CPU whose XINUSE cannot be exact (QEMU TCG reports every component in use).
 */
struct hold_result xstate_hold_check_values(const struct xstate_hold *h);

/* "ok", or what differed. */
const char *xstate_hold_check_str(enum hold_check c);

/*
 * Whether a check right after the load found the registers other than loaded (XINUSE or a
 * save's XSTATE_BV): something ran between the load and the check (an interrupt, a
 * preemption and the kernel's restore, the kernel's own FPU use), so the batch may be made
 * again. A changed value is not that: it is an error.
 */
bool xstate_hold_disturbed(const struct hold_result *r);

/* A batch of kernel round trips made while holding. */
struct held_batch {
	uint64_t gross_ticks;
	long error;                       /* the first -errno a round trip returned, else 0 */
	struct hold_result before, after; /* the held state before and after the round trips */
};

/*
 * One batch while the registers hold @h: saves the caller's state into @caller
 * (@caller_mask), loads the hold and checks it, calls @trips(@ctx, @warmup) untimed and
 * @trips(@ctx, @n) between serialized time stamps (each returns 0 or the first -errno, which
 * ends the batch), checks the hold again as after a kernel path (xstate_hold_check_after_path)
 * and restores the caller's state. @trips must touch no vector register.
 */
void xstate_hold_batch(const struct xstate_hold *h, long (*trips)(void *ctx, uint32_t n), void *ctx,
		       uint32_t warmup, uint32_t n, void *caller, uint64_t caller_mask, struct held_batch *out);

#endif
