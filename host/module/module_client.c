/*
 * module_client.c - opening /dev/xstate_bench, the capability query, one batch of either
 * kind and one layout check.
 */
#include "module_client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../base/ids.h"

/* A case's condition goes to the module as it is. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(COND_INIT, XB_COND_INIT) && SAME(COND_INUSE, XB_COND_INUSE) && SAME(COND_CLEAN, XB_COND_CLEAN) &&
		       SAME(COND_MODIFIED, XB_COND_MODIFIED) &&
		       SAME(COND_NONE, XB_COND_NONE) && SAME(COND_NEED_LOAD, XB_COND_NEED_LOAD) &&
		       SAME(COND_LIVE, XB_COND_LIVE) && SAME(COND_PRE_XSAVE_GUEST, XB_COND_PRE_XSAVE_GUEST),
	       "base/ids.h's conditions are the module's XB_COND_*");

int module_open(const char *device)
{
	int fd = open(device, O_RDWR | O_CLOEXEC);

	return fd < 0 ? xb_fail_errno("open %s", device) : fd;
}

static int query_caps(const char *device, struct xb_caps *caps)
{
	int fd = module_open(device), rc = 0;

	if (fd < 0)
		return fd;
	if (ioctl(fd, XB_IOC_CAPS, caps))
		rc = xb_fail_errno("ioctl(XB_IOC_CAPS) on %s", device);
	else if (caps->version != XB_UAPI_VERSION)
		rc = xb_fail(EPROTO, "%s speaks uAPI version %u, this xstate-bench version %u: rebuild the module",
			     device, caps->version, XB_UAPI_VERSION);
	close(fd);
	return rc;
}

void module_probe(struct module_info *out)
{
	const char *device = getenv("XSTATE_BENCH_MODULE_DEVICE");

	memset(out, 0, sizeof(*out));
	snprintf(out->device, sizeof(out->device), "%s", device && *device ? device : XB_DEVICE_PATH);
	if (query_caps(out->device, &out->caps))
		snprintf(out->error, sizeof(out->error), "%s", xb_error_message());
	else
		out->present = true;
}

int module_run_batch(int fd, const char *device, struct xb_batch *b)
{
	return ioctl(fd, XB_IOC_BATCH, b) ? xb_fail_errno("ioctl(XB_IOC_BATCH) on %s", device) : 0;
}

int module_run_kapi(int fd, const char *device, struct xb_kapi_batch *b)
{
	return ioctl(fd, XB_IOC_KAPI, b) ? xb_fail_errno("ioctl(XB_IOC_KAPI) on %s", device) : 0;
}

int module_run_verify(int fd, const char *device, struct xb_verify *r)
{
	return ioctl(fd, XB_IOC_VERIFY, r) ? xb_fail_errno("ioctl(XB_IOC_VERIFY) on %s", device) : 0;
}

int module_kapi_failed(const char *device, long rc)
{
	errno = (int)-rc;
	return xb_fail_errno("ioctl(XB_IOC_KAPI) on %s", device);
}
