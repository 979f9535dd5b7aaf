// SPDX-License-Identifier: GPL-2.0
/*
 * xb_device.c - the xstate_bench module's kernel side: the misc device /dev/xstate_bench,
 * its ioctls (xstate_bench_uapi.h), and owning the CPU around one batch of the project's
 * own kernels the way the kernel requires: kernel_fpu_begin() (the task's FPU state is
 * saved and reloaded on the way back to user space), interrupts off for the batch,
 * IA32_XFD kept and put back, and the state the batch loaded, supervisor components
 * included, restored by the batch itself (kernels/xsave_bench.c saves and restores it with
 * XSAVES/XRSTORS). A layout check in ring 0 (ring0_verify.h) runs the same way. The kapi
 * batches, which call the kernel's own fpu functions on the task's real FPU state, are
 * kapi_kernel.c's.
 */
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>

#include "kapi_kernel.h"
#include "ring0.h"
#include "ring0_verify.h"

static const struct xstate_layout *layout;
static bool cpu_has_xfd; /* CPUID.(EAX=0DH,ECX=1):EAX[4], as the module saw it */

static void *buffer_alloc(__u32 bytes)
{
	return bytes ? alloc_pages_exact(bytes, GFP_KERNEL | __GFP_ZERO) : NULL;
}

static void buffer_free(void *buf, __u32 bytes)
{
	if (buf)
		free_pages_exact(buf, bytes);
}

static void buffers_free(struct ring0_buffers *bufs)
{
	buffer_free(bufs->target, bufs->target_bytes);
	buffer_free(bufs->image, bufs->image_bytes);
	buffer_free(bufs->scratch, bufs->scratch_bytes);
	buffer_free(bufs->caller, bufs->caller_bytes);
	buffer_free(bufs->block, bufs->block_bytes);
}

static int buffers_alloc(struct ring0_buffers *bufs)
{
	bufs->target = buffer_alloc(bufs->target_bytes);
	bufs->image = buffer_alloc(bufs->image_bytes);
	bufs->scratch = buffer_alloc(bufs->scratch_bytes);
	bufs->caller = buffer_alloc(bufs->caller_bytes);
	bufs->block = buffer_alloc(bufs->block_bytes);
	if ((bufs->target_bytes && !bufs->target) || (bufs->image_bytes && !bufs->image) ||
	    (bufs->scratch_bytes && !bufs->scratch) || (bufs->caller_bytes && !bufs->caller) ||
	    (bufs->block_bytes && !bufs->block)) {
		buffers_free(bufs);
		return -ENOMEM;
	}
	return 0;
}

/*
 * The CPU to the module: the task's FPU state saved, interrupts off. IA32_XFD is read into
 * *@xfd and, when it arms a component of @lift (what the work loads), cleared of it (an
 * XRSTOR of an armed component would raise #NM in the kernel); true when it was.
 */
static bool own_cpu(__u64 lift, __u64 *xfd, unsigned long *flags)
{
	*xfd = 0;
	kernel_fpu_begin();
	local_irq_save(*flags);
	if (cpu_has_xfd)
		rdmsrl(MSR_IA32_XFD, *xfd);
	if (!(*xfd & lift))
		return false;
	wrmsrl(MSR_IA32_XFD, *xfd & ~lift);
	return true;
}

/* Gives the CPU back: whatever the work left in IA32_XFD (the MSR write and a switch change
 * it), @xfd, the value found, is written back before interrupts are enabled again, so the
 * kernel's per-CPU copy of it stays true. */
static void release_cpu(__u64 xfd, unsigned long flags)
{
	__u64 left = 0;

	if (cpu_has_xfd)
		rdmsrl(MSR_IA32_XFD, left);
	if (left != xfd)
		wrmsrl(MSR_IA32_XFD, xfd);
	local_irq_restore(flags);
	kernel_fpu_end();
}

/* One batch with the CPU to itself. */
static void run_owned(struct xb_batch *b, const struct ring0_buffers *bufs)
{
	__u64 lift = ring0_xfd_lift(layout, b), xfd;
	unsigned long flags;

	if (own_cpu(lift, &xfd, &flags))
		b->flags |= XB_BATCH_XFD_LIFTED;
	b->xfd_before = xfd;
	ring0_run(layout, b, bufs, xfd & ~lift);
	b->cpu = smp_processor_id();
	release_cpu(xfd, flags);
}

static long ioctl_batch(struct xb_batch __user *arg)
{
	struct ring0_buffers bufs = { 0 };
	struct xb_batch b;
	int rc;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	rc = ring0_validate(layout, &b);
	if (rc)
		return rc;
	ring0_buffer_sizes(layout, &b, &bufs);
	rc = buffers_alloc(&bufs);
	if (rc)
		return rc;
	rc = ring0_prepare(layout, &b, &bufs);
	if (!rc) {
		b.flags = 0;
		run_owned(&b, &bufs);
	}
	buffers_free(&bufs);
	if (!rc && copy_to_user(arg, &b, sizeof(b)))
		rc = -EFAULT;
	return rc;
}

static long ioctl_verify(struct xb_verify __user *arg)
{
	__u32 bytes = ring0_verify_buffer_bytes(layout);
	void *bufs[RING0_VERIFY_BUFFERS] = { 0 };
	struct xb_verify r;
	unsigned long flags;
	__u64 xfd;
	int rc, i;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	rc = ring0_verify_validate(layout, &r);
	if (rc)
		return rc;
	for (i = 0; i < RING0_VERIFY_BUFFERS && !rc; i++)
		if (!(bufs[i] = buffer_alloc(bytes)))
			rc = -ENOMEM;
	if (!rc) {
		own_cpu(ring0_loadable(layout), &xfd, &flags);
		r.xfd_before = xfd;
		ring0_verify_run(layout, &r, bufs);
		r.cpu = smp_processor_id();
		release_cpu(xfd, flags);
	}
	for (i = 0; i < RING0_VERIFY_BUFFERS; i++)
		buffer_free(bufs[i], bytes);
	if (!rc && copy_to_user(arg, &r, sizeof(r)))
		rc = -EFAULT;
	return rc;
}

static long ioctl_caps(struct xb_caps __user *arg)
{
	struct xb_caps caps;

	ring0_caps(layout, &caps);
	kapi_caps(&caps);
	if (cpu_has_xfd) {
		preempt_disable();
		rdmsrl(MSR_IA32_XFD, caps.xfd);
		preempt_enable();
	}
	strscpy(caps.release, utsname()->release, sizeof(caps.release));
	return copy_to_user(arg, &caps, sizeof(caps)) ? -EFAULT : 0;
}

static long xb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case XB_IOC_CAPS:
		return ioctl_caps((struct xb_caps __user *)arg);
	case XB_IOC_BATCH:
		return ioctl_batch((struct xb_batch __user *)arg);
	case XB_IOC_KAPI:
		return kapi_ioctl(layout, (struct xb_kapi_batch __user *)arg);
	case XB_IOC_VERIFY:
		return ioctl_verify((struct xb_verify __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations xb_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = xb_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice xb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XB_DEVICE_NAME,
	.fops = &xb_fops,
	.mode = 0600,
};

/* The XSAVE-family instructions the kernel found usable on this machine. */
static __u32 kernel_caps(void)
{
	return (boot_cpu_has(X86_FEATURE_XSAVEOPT) ? XB_CAP_XSAVEOPT : 0) |
	       (boot_cpu_has(X86_FEATURE_XSAVEC) ? XB_CAP_XSAVEC : 0) |
	       (boot_cpu_has(X86_FEATURE_XGETBV1) ? XB_CAP_XGETBV1 : 0) |
	       (boot_cpu_has(X86_FEATURE_XSAVES) ? XB_CAP_XSAVES : 0) |
	       (boot_cpu_has(X86_FEATURE_XFD) ? XB_CAP_XFD : 0);
}

static int __init xb_init(void)
{
	struct xb_caps caps;
	u64 xss = 0;
	int rc;

	if (!boot_cpu_has(X86_FEATURE_XSAVE) || !boot_cpu_has(X86_FEATURE_OSXSAVE)) {
		pr_info("xstate_bench: the kernel has not enabled XSAVE: nothing to measure\n");
		return -ENODEV;
	}
	if (boot_cpu_has(X86_FEATURE_XSAVES) && rdmsrl_safe(MSR_IA32_XSS, &xss)) {
		pr_info("xstate_bench: RDMSR IA32_XSS faulted\n");
		return -EIO;
	}
	layout = ring0_layout_live(xss, kernel_caps());
	if (!layout) {
		pr_info("xstate_bench: CPUID leaf 0xD is missing or inconsistent\n");
		return -ENODEV;
	}
	ring0_caps(layout, &caps);
	cpu_has_xfd = caps.flags & XB_CAP_XFD;
	kapi_resolve();
	rc = misc_register(&xb_misc);
	if (rc)
		kapi_release();
	return rc;
}

static void __exit xb_exit(void)
{
	misc_deregister(&xb_misc);
	kapi_release();
}

module_init(xb_init);
module_exit(xb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xstate-bench: XSAVE-family, XSAVES/XRSTORS and IA32_XFD kernels run in ring 0, and the kernel's own fpu functions timed");
