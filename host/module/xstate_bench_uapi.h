/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xstate_bench_uapi.h - the interface between the xstate_bench kernel module and
 * xstate-bench: the misc device /dev/xstate_bench and its four ioctls, a capability query,
 * one measured batch of the project's own ring-0 kernels, one measured batch of the
 * running kernel's own exported fpu functions (the kapi site), and one layout check in ring
 * 0 (XSAVES/XRSTORS reach the supervisor components). Included by both sides.
 * Versioned: XB_IOC_CAPS reports XB_UAPI_VERSION, and every ioctl number encodes the size
 * of its struct, so a module and a tool built from different versions refuse each other
 * (ENOTTY or a version mismatch).
 */
#ifndef XB_MODULE_XSTATE_BENCH_UAPI_H
#define XB_MODULE_XSTATE_BENCH_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XB_UAPI_VERSION 4
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
	XB_COND_MODIFIED = 3,  /* saves: loaded from the target, then the registers rewritten */
	XB_COND_NONE = 4,      /* for the MSR write */
	XB_COND_NEED_LOAD = 5, /* saved in its fpstate (TIF_NEED_FPU_LOAD) */
	XB_COND_LIVE = 6,      /* in the registers */
	XB_COND_PRE_XSAVE_GUEST = 7, /* kapi: an image of x87 and SSE only, for a guest whose
				      * xcr0 lacks them (a vCPU without XSAVE, seed 001) */
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
	__u32 kapi_resolved;    /* bit (1 << XB_KAPI_x): the kernel exports it to this module
				 * (__symbol_get() at load time found it) */
	__u32 kapi_signature_differs; /* bit: the kernel's headers the module was built against
				 * declare it with another signature than the one it calls */
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
	__u64 xstate_bv;    /* a save's header after the batch, or what a restore loaded */
	char insns[32];     /* the instructions the batch ran, e.g. "xsaves/xrstors+xfd" */
	char check_message[128];
};

#define XB_BATCH_XINUSE_CHECKED (1u << 0) /* xinuse_before holds XGETBV(1) */
#define XB_BATCH_XFD_LIFTED (1u << 1)     /* IA32_XFD armed part of @mask: cleared for the batch */

/*
 * The kapi site: the running kernel's fpu functions that KVM uses (EXPORT_SYMBOL_GPL in
 * arch/x86/kernel/fpu/core.c, present when KVM is configured), resolved by name when the
 * module loads, so one module source serves kernels with and without each of them.
 */
enum xb_kapi_fn {
	XB_KAPI_FPU_ALLOC_GUEST_FPSTATE,
	XB_KAPI_FPU_FREE_GUEST_FPSTATE,
	XB_KAPI_FPU_SWAP_KVM_FPSTATE,
	XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES,
	XB_KAPI_FPU_UPDATE_GUEST_XFD,
	XB_KAPI_FPU_COPY_GUEST_FPSTATE_TO_UABI,
	XB_KAPI_FPU_COPY_UABI_TO_GUEST_FPSTATE,
	XB_KAPI_KERNEL_FPU_BEGIN_MASK,
	XB_KAPI_KERNEL_FPU_END,
	XB_KAPI_SWITCH_FPU_RETURN,
	XB_KAPI_FN_COUNT,
};

/* The kernel's name of each function: what the module resolves and a skip names. */
static inline const char *xb_kapi_fn_name(__u32 fn)
{
	static const char *const names[XB_KAPI_FN_COUNT] = {
		"fpu_alloc_guest_fpstate", "fpu_free_guest_fpstate", "fpu_swap_kvm_fpstate",
		"fpu_enable_guest_xfd_features", "fpu_update_guest_xfd",
		"fpu_copy_guest_fpstate_to_uabi", "fpu_copy_uabi_to_guest_fpstate",
		"kernel_fpu_begin_mask", "kernel_fpu_end", "switch_fpu_return",
	};

	return fn < XB_KAPI_FN_COUNT ? names[fn] : "?";
}

/* What one kapi operation is (ids kapi/fpu/<op>/...). */
enum xb_kapi_op {
	XB_KAPI_OP_ALLOC_GUEST_FPSTATE = 1,  /* fpu_alloc_guest_fpstate() (each freed, untimed) */
	XB_KAPI_OP_FREE_GUEST_FPSTATE,       /* fpu_free_guest_fpstate() (each allocated, untimed) */
	XB_KAPI_OP_SWAP_KVM_FPSTATE,         /* fpu_swap_kvm_fpstate() enter and exit */
	XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES, /* on a fresh guest fpstate: the realloc */
	XB_KAPI_OP_UPDATE_GUEST_XFD,         /* arming and disarming @mask in turn, guest swapped in */
	XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI, /* KVM_GET_XSAVE2's copy */
	XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE, /* KVM_SET_XSAVE's copy */
	XB_KAPI_OP_KERNEL_FPU_BEGIN_END,     /* kernel_fpu_begin() (KFPU_MXCSR) and kernel_fpu_end() */
	XB_KAPI_OP_COUNT,
};

#define XB_KAPI_BIT(fn) (1u << (fn))
#define XB_KAPI_GUEST_FPSTATE (XB_KAPI_BIT(XB_KAPI_FPU_ALLOC_GUEST_FPSTATE) | XB_KAPI_BIT(XB_KAPI_FPU_FREE_GUEST_FPSTATE))
#define XB_KAPI_TASK_STATE \
	(XB_KAPI_BIT(XB_KAPI_KERNEL_FPU_BEGIN_MASK) | XB_KAPI_BIT(XB_KAPI_KERNEL_FPU_END) | \
	 XB_KAPI_BIT(XB_KAPI_SWITCH_FPU_RETURN))

/*
 * The functions a kapi op calls, timed or to set up and prove its case: a guest fpstate is
 * allocated and freed around every guest case, its image written with
 * fpu_copy_uabi_to_guest_fpstate(), a dynamic feature (@mask beyond @default_features, the
 * features a fresh guest fpstate holds: every one the CPU has but the XFD-capable ones)
 * enabled with fpu_enable_guest_xfd_features(); the task's state is put in the condition
 * with kernel_fpu_begin_mask()/kernel_fpu_end() and switch_fpu_return().
 */
static inline __u32 xb_kapi_op_needs(__u32 op, __u64 mask, __u64 default_features)
{
	__u32 enable = mask & ~default_features ? XB_KAPI_BIT(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES) : 0;
	__u32 guest = XB_KAPI_GUEST_FPSTATE | XB_KAPI_BIT(XB_KAPI_FPU_COPY_UABI_TO_GUEST_FPSTATE) | enable;

	switch (op) {
	case XB_KAPI_OP_ALLOC_GUEST_FPSTATE:
	case XB_KAPI_OP_FREE_GUEST_FPSTATE:
		return XB_KAPI_GUEST_FPSTATE;
	case XB_KAPI_OP_SWAP_KVM_FPSTATE:
		return guest | XB_KAPI_BIT(XB_KAPI_FPU_SWAP_KVM_FPSTATE) | XB_KAPI_TASK_STATE;
	case XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES:
		return XB_KAPI_GUEST_FPSTATE | XB_KAPI_BIT(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES);
	case XB_KAPI_OP_UPDATE_GUEST_XFD:
		return XB_KAPI_GUEST_FPSTATE | XB_KAPI_BIT(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES) |
		       XB_KAPI_BIT(XB_KAPI_FPU_SWAP_KVM_FPSTATE) | XB_KAPI_BIT(XB_KAPI_FPU_UPDATE_GUEST_XFD);
	case XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI:
		return guest | XB_KAPI_BIT(XB_KAPI_FPU_COPY_GUEST_FPSTATE_TO_UABI);
	case XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE:
		return guest;
	case XB_KAPI_OP_KERNEL_FPU_BEGIN_END:
		return XB_KAPI_TASK_STATE;
	default:
		return 0;
	}
}

/* A guest fpstate as the kernel described it (struct fpstate and struct fpu_guest fields). */
struct xb_kapi_fpstate {
	__u64 xfeatures;       /* fpstate->xfeatures */
	__u64 user_xfeatures;  /* fpstate->user_xfeatures */
	__u64 xfd;             /* fpstate->xfd */
	__u64 guest_xfeatures; /* fpu_guest->xfeatures */
	__u64 guest_perm;      /* fpu_guest->perm */
	__u32 size;            /* fpstate->size */
	__u32 user_size;       /* fpstate->user_size */
	__u32 uabi_size;       /* fpu_guest->uabi_size */
	__u32 flags;           /* XB_KAPI_FPSTATE_* */
};

#define XB_KAPI_FPSTATE_VALLOC (1u << 0)    /* is_valloc */
#define XB_KAPI_FPSTATE_GUEST (1u << 1)     /* is_guest */
#define XB_KAPI_FPSTATE_IN_USE (1u << 2)    /* in_use */
#define XB_KAPI_FPSTATE_COMPACTED (1u << 3) /* its XCOMP_BV has bit 63 */

/*
 * One kapi batch: @ops calls of the op's function(s) on real kernel objects (after
 * @warmup_ops untimed ones), timed in ring 0 with preemption off (fpregs_lock()) unless
 * the function may sleep (the guest fpstate's vzalloc()/vfree(): alloc, free and enable;
 * then XB_KAPI_PREEMPTIBLE, and @sched_switches says whether the task was switched out),
 * beside XB_EMPTY_BATCHES empty batches of the same shape. The task's registers hold
 * @load_mask as xstate-bench's hold left them: @mask in use with the pattern of @seed, the
 * rest in init; a guest's image is the pattern of @seed + 1. Refusals as XB_IOC_BATCH:
 * EINVAL, EOPNOTSUPP (the CPU or the kernel lacks it). A batch whose checks failed returns
 * 0 with @check non-zero and @check_message saying why.
 */
struct xb_kapi_batch {
	/* request */
	__u32 op;           /* enum xb_kapi_op */
	__u32 cond;         /* enum xb_cond: NEED_LOAD/LIVE (swap, kernel_fpu), INUSE (copies),
			     * PRE_XSAVE_GUEST (copy to the guest), NONE (the others) */
	__u64 mask;         /* the components in use (update-guest-xfd: the XFD bits toggled) */
	__u64 load_mask;    /* the task's registers: @mask and the rest in init */
	__u32 ops;          /* calls timed (K), 1..XB_MAX_OPS */
	__u32 warmup_ops;   /* 0..XB_MAX_WARMUP_OPS */
	__u32 seed;
	__u32 reserved_in;  /* must be 0 */
	/* result */
	__u64 gross_ticks;  /* the timed calls, overhead included */
	__u64 empty_ticks;  /* median of XB_EMPTY_BATCHES empty batches of the same shape */
	__s64 ret;          /* the timed function's return value (bool as 1/0; void: 0) */
	__u64 xinuse_before; /* XGETBV(1) with the task's state in the condition, when checked */
	__u64 expected, actual; /* for a failed check */
	__u32 check;        /* 0: every check passed */
	__u32 flags;        /* XB_KAPI_* */
	__u32 cpu;          /* the CPU it ran on */
	__u32 sched_switches; /* the task's context switches during a preemptible batch */
	__u64 xfd_after;    /* IA32_XFD read after update-guest-xfd's last call */
	struct xb_kapi_fpstate guest_before; /* the guest fpstate as allocated */
	struct xb_kapi_fpstate guest_after;  /* after the op (enable: the grown one) */
	__u32 task_fpstate_size; /* current's fpstate->size */
	__u32 reserved_out;
	__u64 task_fpstate_xfeatures;
	char check_message[128];
};

#define XB_KAPI_XINUSE_CHECKED (1u << 0) /* xinuse_before holds XGETBV(1) */
#define XB_KAPI_PREEMPTIBLE (1u << 1)    /* preemption stayed on: the function may sleep */
#define XB_KAPI_PER_CALL (1u << 2)       /* each call timed on its own (untimed set-up between) */

/*
 * One layout check in ring 0 (kernels/xstate_verify.h): component @component checked with
 * @insn over the components the module loads (xb_caps.loadable: XCR0's and IA32_XSS's with
 * known safe values), with interrupts off, IA32_XFD lifted of every component for it and put
 * back, the caller's state (supervisor components included) restored. Refusals: EINVAL (a
 * malformed request), EOPNOTSUPP (the instruction is not on this CPU). The check's own
 * outcome, 0 when it passed, is in @outcome.
 */
enum xb_verify_insn { /* kernels/xstate_verify.h's enum xstate_verify_insn */
	XB_VERIFY_XSAVE,
	XB_VERIFY_XSAVEC,
	XB_VERIFY_XRSTOR,
	XB_VERIFY_XRSTOR_COMPACTED,
	XB_VERIFY_XSAVES,
	XB_VERIFY_XRSTORS,
	XB_VERIFY_INSN_COUNT,
};

struct xb_verify {
	/* request */
	__u32 component;    /* the xstate component number */
	__u32 insn;         /* enum xb_verify_insn */
	__u64 reserved_in;  /* must be 0 */
	/* result: kernels/xstate_verify.h's struct xstate_verify_result */
	__u32 outcome;      /* enum xstate_verify_outcome: 0 passed */
	__s32 content_component;
	__u64 rfbm, xinuse, expected, actual;
	__u32 offset, stray_offset, stray_bytes;
	__u32 cpu;          /* the CPU it ran on */
	__u64 xfd_before;   /* IA32_XFD found (0 without XFD) */
};

#define XB_IOC_MAGIC 0xB5
#define XB_IOC_CAPS _IOR(XB_IOC_MAGIC, 1, struct xb_caps)
#define XB_IOC_BATCH _IOWR(XB_IOC_MAGIC, 2, struct xb_batch)
#define XB_IOC_KAPI _IOWR(XB_IOC_MAGIC, 3, struct xb_kapi_batch)
#define XB_IOC_VERIFY _IOWR(XB_IOC_MAGIC, 4, struct xb_verify)

#endif
