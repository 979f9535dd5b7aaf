/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xstate_bench_uapi.h - the interface between the xstate_bench kernel module and
 * xstate-bench: the misc device /dev/xstate_bench and its two ioctls, a capability query
 * and one measured batch. Included by both sides. Versioned: XB_IOC_CAPS reports
 * XB_UAPI_VERSION, and every ioctl number encodes the size of its struct, so a module and
 * a tool built from different versions refuse each other (ENOTTY or a version mismatch).
 */
#ifndef XB_MODULE_XSTATE_BENCH_UAPI_H
#define XB_MODULE_XSTATE_BENCH_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XB_UAPI_VERSION 1
#define XB_DEVICE_NAME "xstate_bench"
#define XB_DEVICE_PATH "/dev/" XB_DEVICE_NAME

/* Bounds the module enforces: one batch runs with preemption and interrupts off. */
#define XB_MAX_OPS 1024
#define XB_MAX_WARMUP_OPS 64
#define XB_MAX_BUFFER_BYTES (64 * 1024) /* one XSAVE buffer or fpstate container */
/* Empty batches timed beside every batch, in ring 0; their median is the overhead. */
#define XB_EMPTY_BATCHES 15

enum xb_op {
	XB_OP_XSAVE = 1,
	XB_OP_XSAVEOPT,
	XB_OP_XSAVEC,
	XB_OP_XSAVES,
	XB_OP_XRSTOR,
	XB_OP_XRSTORS,
	XB_OP_WRMSR_XFD, /* IA32_XFD toggled between the arming of @mask and not */
	XB_OP_SWITCH_POINTER_SWAP,  /* one enter+exit round trip (kernels/fpu_switch.h) */
	XB_OP_SWITCH_THREE_BUFFER,
	XB_OP_COUNT,
};

/* Saves and restores: as kernels/xsave_bench.h's enum xstate_cond; switches: the task's state. */
enum xb_cond {
	XB_COND_INIT = 0,
	XB_COND_INUSE = 1,
	XB_COND_CLEAN = 2,
	XB_COND_NONE = 3,      /* for the MSR write */
	XB_COND_NEED_LOAD = 4, /* saved in its fpstate (TIF_NEED_FPU_LOAD) */
	XB_COND_LIVE = 5,      /* in the registers */
};

/* What the CPU offers, as the module sees it (CPUID leaf 0xD, sub-leaf 1). */
#define XB_CAP_XSAVEOPT (1u << 0)
#define XB_CAP_XSAVEC (1u << 1)
#define XB_CAP_XGETBV1 (1u << 2)
#define XB_CAP_XSAVES (1u << 3)
#define XB_CAP_XFD (1u << 4)

struct xb_caps {
	__u32 version;          /* XB_UAPI_VERSION of the module */
	__u32 flags;            /* XB_CAP_* */
	__u64 ops;              /* bit (1 << XB_OP_x) for every op this CPU can run */
	__u64 xcr0;             /* XGETBV(0) */
	__u64 xss;              /* IA32_XSS read with RDMSR; 0 without XSAVES */
	__u64 loadable;         /* components the module will load (it knows safe values) */
	__u64 xfd;              /* IA32_XFD on the CPU that answered; 0 without XFD */
	__u32 max_ops, max_warmup_ops, max_buffer_bytes;
	__u32 size_all_compacted; /* the XSAVES buffer for XCR0 | IA32_XSS */
	char release[65];       /* the kernel's release, as the module sees it */
	__u8 reserved[7];
};

/*
 * One batch. The caller fills the request; the module validates it (EINVAL for a malformed
 * one, EOPNOTSUPP for one this CPU or this module cannot run safely), then runs it with the
 * task's FPU state saved (kernel_fpu_begin), preemption and interrupts off, and fills the
 * result. A batch whose checks failed still returns 0: @check is then non-zero and
 * @check_message says which check and why.
 */
struct xb_batch {
	/* request */
	__u32 op;           /* enum xb_op */
	__u32 cond;         /* enum xb_cond */
	__u64 mask;         /* the feature set: the instruction's RFBM, or the XFD bits */
	__u32 ops;          /* operations timed (K), 1..XB_MAX_OPS */
	__u32 warmup_ops;   /* untimed operations first, 0..XB_MAX_WARMUP_OPS */
	__u32 seed;         /* for the images' values */
	__u32 reserved_in;  /* must be 0 */
	/* result */
	__u64 gross_ticks;  /* the timed loop, overhead included */
	__u64 empty_ticks;  /* median of XB_EMPTY_BATCHES empty loops of @ops, in ring 0 */
	__u64 xinuse_before; /* XGETBV(1) after setting the condition, when checked */
	__u64 xfd_before;   /* IA32_XFD when the batch started */
	__u64 expected, actual; /* for a failed check */
	__u32 check;        /* 0: every check passed */
	__s32 modopt_hit;   /* 1 hit, 0 missed, -1 not probed */
	__u32 flags;        /* XB_BATCH_* */
	__u32 cpu;          /* the CPU it ran on */
	__u32 buffer_bytes; /* the buffer saved into or restored from; a switch's fpstate buffer */
	__u32 reserved_out;
	__u64 xfd_writes;   /* a switch batch's WRMSRs to IA32_XFD, warm-up included */
	char insns[32];     /* the instructions the batch ran, e.g. "xsaves/xrstors+xfd" */
	char check_message[128];
};

#define XB_BATCH_XINUSE_CHECKED (1u << 0) /* xinuse_before holds XGETBV(1) */
#define XB_BATCH_XFD_LIFTED (1u << 1)     /* IA32_XFD armed part of @mask: cleared for the batch */

#define XB_IOC_MAGIC 0xB5
#define XB_IOC_CAPS _IOR(XB_IOC_MAGIC, 1, struct xb_caps)
#define XB_IOC_BATCH _IOWR(XB_IOC_MAGIC, 2, struct xb_batch)

#endif
