/*
 * kvm_probe.c - host-side facts about /dev/kvm.
 */
#include "kvm_probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest.h"
#include "guest_cpuid.h"

static void list_modules(char *out, size_t size)
{
	DIR *d = opendir("/sys/module");
	struct dirent *e;
	size_t used = 0;

	out[0] = '\0';
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "kvm", 3))
			continue;
		used += (size_t)snprintf(out + used, used < size ? size - used : 0, "%s%s",
					 used ? "," : "", e->d_name);
		if (used >= size)
			break;
	}
	closedir(d);
}

/* The supervisor states and CET that KVM_GET_SUPPORTED_CPUID offers guests. */
static void probe_supported_cpuid(int fd, struct kvm_info *out)
{
	struct kvm_cpuid2 *c;
	struct kvm_cpuid_entry2 *leaf7;

	if (kvm_supported_cpuid(fd, &c))
		return;
	out->supported_cpuid_known = true;
	out->supported_xss = kvm_cpuid_xss_supported(c);
	leaf7 = kvm_cpuid_find(c, 7, 0);
	out->cet_ss = leaf7 && (leaf7->ecx >> 7 & 1);
	out->ibt = leaf7 && (leaf7->edx >> 20 & 1);
	free(c);
}

void kvm_probe(struct kvm_info *out)
{
	int fd, ret;

	memset(out, 0, sizeof(*out));
	list_modules(out->modules, sizeof(out->modules));
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(out->open_error, sizeof(out->open_error), "open /dev/kvm: %s (errno %d)",
			 strerror(errno), errno);
		return;
	}
	out->present = true;
	/* before anything creates a vCPU, and before KVM_CAP_XSAVE2, whose size follows it */
	if (kvm_guest_perm_request())
		snprintf(out->guest_perm_error, sizeof(out->guest_perm_error), "%s", xb_error_message());
	out->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
	ret = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	out->xsave2_size = ret > 0 ? ret : 0;
	out->xcomp_guest_supp_known = !kvm_xcomp_guest_supp(fd, &out->xcomp_guest_supp);
	out->xcomp_guest_perm_has = -kvm_xcomp_guest_perm_has(fd);
	out->xcomp_guest_perm_known = !kvm_xcomp_guest_perm(fd, &out->xcomp_guest_perm);
	if (!out->xcomp_guest_perm_known)
		snprintf(out->xcomp_guest_perm_error, sizeof(out->xcomp_guest_perm_error), "%s", xb_error_message());
	probe_supported_cpuid(fd, out);
	close(fd);
}
