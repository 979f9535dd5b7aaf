/*
 * kvm_probe.c - host-side facts about /dev/kvm, and whether its guests run on hardware
 * virtualization or only on an emulator (kvm_guest_mode_probe).
 */
#include "kvm_probe.h"

#include "launcher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

void kvm_probe(struct kvm_info *out)
{
	struct kvm_device_attr attr;
	enum kvm_guest_mode mode;
	uint64_t supp = 0;
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
	out->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
	ret = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	out->xsave2_size = ret > 0 ? ret : 0;
	memset(&attr, 0, sizeof(attr));
	attr.group = 0;
	attr.attr = KVM_X86_XCOMP_GUEST_SUPP;
	attr.addr = (uint64_t)(uintptr_t)&supp;
	if (!ioctl(fd, KVM_GET_DEVICE_ATTR, &attr)) {
		out->xcomp_guest_supp_known = true;
		out->xcomp_guest_supp = supp;
	}
	close(fd);
	mode = kvm_guest_mode_probe(out->guest_mode_detail, sizeof(out->guest_mode_detail));
	snprintf(out->guest_mode, sizeof(out->guest_mode), "%s",
		 mode == KVM_GUEST_HARDWARE ? "hardware" : mode == KVM_GUEST_CLASSIC ? "classic" : "unknown");
}
