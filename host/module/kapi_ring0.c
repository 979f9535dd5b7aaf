/*
 * kapi_ring0.c - validating a kapi request, its images, its timing and its checks.
 * Freestanding: kernels/ and the uAPI only.
 */
#include "kapi_ring0.h"

#include <errno.h>

#include "../../kernels/calibration.h"
#include "../../base/kstring.h"
#include "../../kernels/tsc.h"
#include "../../kernels/xsave_insn.h"
#include "../../kernels/xstate_image.h"
#include "../../kernels/xstate_layout.h"

#define PKRU XFEATURE_MASK(XFEATURE_PKRU)
/* KVM's struct kvm_xsave: the UABI buffer of KVM_GET_XSAVE, 4096 bytes. */
#define KVM_XSAVE_BYTES 4096u

/* The condition each op takes. */
static bool cond_valid(__u32 op, __u32 cond)
{
	switch (op) {
	case XB_KAPI_OP_SWAP_KVM_FPSTATE:
	case XB_KAPI_OP_KERNEL_FPU_BEGIN_END:
		return cond == XB_COND_NEED_LOAD || cond == XB_COND_LIVE;
	case XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI:
		return cond == XB_COND_INUSE;
	case XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE:
		return cond == XB_COND_INUSE || cond == XB_COND_PRE_XSAVE_GUEST;
	default:
		return cond == XB_COND_NONE;
	}
}

/* The state a task holds or a guest is given: user components with x87 and SSE, no PKRU. */
static int validate_state(const struct xstate_layout *l, const struct xb_kapi_batch *b)
{
	if ((b->mask & XFEATURES_FP) != XFEATURES_FP || (b->mask & ~b->load_mask) ||
	    (b->load_mask & ~l->xcr0) || (b->load_mask & PKRU))
		return -EINVAL;
	if (b->cond == XB_COND_PRE_XSAVE_GUEST && b->load_mask != XFEATURES_FP)
		return -EINVAL;
	if (b->mask & ~xstate_pattern_capable())
		return -EOPNOTSUPP;
	return ((xstate_size_standard(l, b->load_mask) + 63) & ~63u) > XB_MAX_BUFFER_BYTES ? -EOPNOTSUPP : 0;
}

/* The dynamic features enabled for a guest, or whose XFD bits a guest toggles. */
static int validate_dynamic(const struct xstate_layout *l, const struct xb_kapi_batch *b)
{
	if (!b->mask || b->load_mask || (b->mask & ~xstate_xfd_capable(l)) || (b->mask & ~l->xcr0))
		return -EINVAL;
	return l->xfd ? 0 : -EOPNOTSUPP;
}

static int validate_op(const struct xstate_layout *l, const struct xb_kapi_batch *b)
{
	switch (b->op) {
	case XB_KAPI_OP_ALLOC_GUEST_FPSTATE:
	case XB_KAPI_OP_FREE_GUEST_FPSTATE:
		return b->mask || b->load_mask ? -EINVAL : 0;
	case XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES:
	case XB_KAPI_OP_UPDATE_GUEST_XFD:
		return validate_dynamic(l, b);
	default:
		return validate_state(l, b);
	}
}

int kapi_validate(const struct xstate_layout *l, __u32 resolved, const struct xb_kapi_batch *b)
{
	__u32 needs;
	int rc;

	if (b->reserved_in || !b->op || b->op >= XB_KAPI_OP_COUNT || !cond_valid(b->op, b->cond))
		return -EINVAL;
	if (!b->ops || b->ops > XB_MAX_OPS || b->warmup_ops > XB_MAX_WARMUP_OPS)
		return -EINVAL;
	rc = validate_op(l, b);
	if (rc)
		return rc;
	/* a dynamic feature in use needs XFD to be enabled for a guest */
	if ((b->mask & ~xstate_default_features(l)) && !l->xfd)
		return -EOPNOTSUPP;
	needs = xb_kapi_op_needs(b->op, b->mask, xstate_default_features(l));
	return needs & ~resolved ? -EOPNOTSUPP : 0;
}

__u32 kapi_image_bytes(const struct xstate_layout *l, const struct xb_kapi_batch *b)
{
	return (xstate_size_standard(l, b->load_mask | XFEATURES_FP) + 63) & ~63u;
}

bool kapi_images_build(const struct xstate_layout *l, const struct xb_kapi_batch *b, const struct kapi_images *im)
{
	return xstate_image_build(l, im->task, im->bytes, b->mask, false, true, b->seed) &&
	       xstate_image_build(l, im->guest, im->bytes, b->mask, false, true, b->seed + 1) &&
	       xstate_image_build(l, im->other, im->bytes, b->mask, false, true, b->seed + 2);
}

__u64 kapi_dynamic(const struct xstate_layout *l, __u64 mask)
{
	return mask & ~xstate_default_features(l);
}

bool kapi_xinuse(const struct xstate_layout *l, __u64 *xinuse)
{
	if (!l->xgetbv1)
		return false;
	*xinuse = xgetbv(1);
	return true;
}

__u64 kapi_xcr0(const struct xstate_layout *l)
{
	return l->xcr0;
}

__u64 kapi_read_xfd(void)
{
	return rdmsr(MSR_IA32_XFD);
}

void kapi_load(const void *image, __u64 load_mask)
{
	xrstor((void *)image, load_mask);
}

/*
 * Only the components in use are compared: a CPU that does not track XINUSE (QEMU TCG)
 * saves the others as in use too.
 */
int kapi_registers_diff(const struct xstate_layout *l, const struct kapi_images *im, const void *image,
			__u64 load_mask)
{
	const struct xstate_header *hdr = xstate_header_of((void *)image);

	xstate_header_of(im->readback)->xstate_bv = 0;
	xsave(im->readback, load_mask);
	return xstate_image_diff(l, im->readback, false, image, false, hdr->xstate_bv);
}

bool kapi_buffer_compacted(const void *kernel_regs)
{
	return xstate_header_of((void *)kernel_regs)->xcomp_bv & XCOMP_BV_COMPACTED;
}

int kapi_buffer_diff(const struct xstate_layout *l, const void *kernel_regs, const void *image, __u64 mask)
{
	return xstate_image_diff(l, kernel_regs, kapi_buffer_compacted(kernel_regs), image, false, mask);
}

/* Hides a function pointer from the compiler: every call through it stays an indirect call. */
#define LAUNDER(p) __asm__ volatile("" : "+r"(p))

__u64 kapi_time(const struct kapi_timing *t, __u32 first, __u32 n)
{
	void (*call)(void *, __u32) = t->call;
	__u64 total = 0, t0;

	LAUNDER(call);
	if (!t->prepare) {
		t0 = tsc_begin();
		for (__u32 i = first; i < first + n; i++)
			call(t->ctx, i);
		return tsc_end() - t0;
	}
	for (__u32 i = first; i < first + n; i++) {
		t->prepare(t->ctx, i);
		t0 = tsc_begin();
		call(t->ctx, i);
		total += tsc_end() - t0;
	}
	return total;
}

static void nothing(void *ctx, __u32 i)
{
	(void)ctx, (void)i;
	__asm__ volatile("" : : : "memory");
}

__u64 kapi_empty_median(bool per_call, __u32 n)
{
	struct kapi_timing t = { per_call ? nothing : 0, nothing, 0 };
	uint64_t v[XB_EMPTY_BATCHES];

	for (int k = 0; k < XB_EMPTY_BATCHES; k++)
		v[k] = kapi_time(&t, 0, n);
	return calibration_median(v, XB_EMPTY_BATCHES);
}

void kapi_fail(struct xb_kapi_batch *b, enum kapi_check check, const char *what, __u64 expected, __u64 actual)
{
	if (b->check)
		return;
	b->check = check;
	b->expected = expected;
	b->actual = actual;
	kstr_copy(b->check_message, what, sizeof(b->check_message));
}

/* The buffer size of @xfeatures in the fpstate's format. */
static __u32 buffer_size(const struct xstate_layout *l, const struct xb_kapi_fpstate *fs, __u64 xfeatures)
{
	return fs->flags & XB_KAPI_FPSTATE_COMPACTED ? xstate_size_compacted(l, xfeatures)
						      : xstate_size_standard(l, xfeatures & l->xcr0);
}

#define EXPECT(b, ok, what, expected, actual)                                  \
	do {                                                                   \
		if (!(ok)) {                                                   \
			kapi_fail(b, KAPI_FPSTATE, what, expected, actual);    \
			return false;                                          \
		}                                                              \
	} while (0)

bool kapi_check_fresh(const struct xstate_layout *l, const struct xb_kapi_fpstate *fs, struct xb_kapi_batch *b)
{
	const __u32 flags = XB_KAPI_FPSTATE_VALLOC | XB_KAPI_FPSTATE_GUEST | XB_KAPI_FPSTATE_IN_USE;
	__u32 uabi = fs->user_size > KVM_XSAVE_BYTES ? fs->user_size : KVM_XSAVE_BYTES;

	EXPECT(b, (fs->flags & flags) == (XB_KAPI_FPSTATE_VALLOC | XB_KAPI_FPSTATE_GUEST),
	       "fresh guest fpstate: is_valloc, is_guest, not in_use", XB_KAPI_FPSTATE_VALLOC | XB_KAPI_FPSTATE_GUEST,
	       fs->flags & flags);
	EXPECT(b, (fs->xfeatures & XFEATURES_FP) == XFEATURES_FP && !(fs->xfeatures & ~(l->xcr0 | l->xss)) &&
	       !(fs->xfeatures & xstate_xfd_capable(l)),
	       "fresh guest fpstate: xfeatures with x87 and SSE, enabled, none dynamic", xstate_default_features(l),
	       fs->xfeatures);
	EXPECT(b, fs->size == buffer_size(l, fs, fs->xfeatures), "fresh guest fpstate: size of its xfeatures",
	       buffer_size(l, fs, fs->xfeatures), fs->size);
	EXPECT(b, !(fs->user_xfeatures & ~fs->xfeatures) && !(fs->user_xfeatures & ~l->xcr0),
	       "fresh guest fpstate: user_xfeatures within xfeatures and XCR0", fs->xfeatures & l->xcr0,
	       fs->user_xfeatures);
	EXPECT(b, fs->user_size == xstate_size_standard(l, fs->user_xfeatures),
	       "fresh guest fpstate: user_size of its user_xfeatures", xstate_size_standard(l, fs->user_xfeatures),
	       fs->user_size);
	EXPECT(b, fs->guest_xfeatures == fs->xfeatures, "fresh guest: fpu_guest xfeatures are its fpstate's",
	       fs->xfeatures, fs->guest_xfeatures);
	EXPECT(b, fs->uabi_size == uabi, "fresh guest: uabi_size is struct kvm_xsave's (or the user size)", uabi,
	       fs->uabi_size);
	EXPECT(b, !fs->xfd, "fresh guest fpstate: xfd 0, the reset value", 0, fs->xfd);
	return true;
}

bool kapi_check_grown(const struct xstate_layout *l, const struct xb_kapi_fpstate *before,
		      const struct xb_kapi_fpstate *after, __u64 mask, struct xb_kapi_batch *b)
{
	__u64 grown = before->xfeatures | mask;

	EXPECT(b, after->xfeatures == grown, "grown guest fpstate: xfeatures with the enabled ones", grown,
	       after->xfeatures);
	EXPECT(b, (after->flags & ~XB_KAPI_FPSTATE_IN_USE) == (before->flags & ~XB_KAPI_FPSTATE_IN_USE),
	       "grown guest fpstate: is_valloc, is_guest and the format kept", before->flags, after->flags);
	EXPECT(b, after->size == buffer_size(l, after, grown) && after->size > before->size,
	       "grown guest fpstate: size of its xfeatures, larger", buffer_size(l, after, grown), after->size);
	EXPECT(b, after->user_size >= xstate_size_standard(l, (before->user_xfeatures | mask) & l->xcr0),
	       "grown guest fpstate: user_size holding the enabled features",
	       xstate_size_standard(l, (before->user_xfeatures | mask) & l->xcr0), after->user_size);
	EXPECT(b, after->xfd == (before->xfd & ~mask), "grown guest fpstate: xfd no longer arming them",
	       before->xfd & ~mask, after->xfd);
	EXPECT(b, (after->guest_xfeatures & mask) == mask, "grown guest: fpu_guest xfeatures with them", mask,
	       after->guest_xfeatures);
	EXPECT(b, after->uabi_size == after->user_size, "grown guest: uabi_size the grown user size",
	       after->user_size, after->uabi_size);
	return true;
}
