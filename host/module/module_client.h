/*
 * module_client.h - xstate-bench's side of the xstate_bench kernel module: finding its
 * device and what it can do (XB_IOC_CAPS), running one batch through it (XB_IOC_BATCH,
 * or XB_IOC_KAPI for the kernel's own fpu functions), and one layout check in ring 0
 * (XB_IOC_VERIFY).
 * The device is /dev/xstate_bench, or $XSTATE_BENCH_MODULE_DEVICE.
 */
#ifndef XB_HOST_MODULE_CLIENT_H
#define XB_HOST_MODULE_CLIENT_H

#include "../machine.h"

/* Fills @out: present with the module's capabilities, or the reason it is not usable. */
void module_probe(struct module_info *out);

/* Opens the module's device; returns the descriptor or a negative errno (recorded). */
int module_open(const char *device) XB_MUST_CHECK;

/* Runs one batch; 0, or a negative errno (recorded) when the module refused or failed it. */
int module_run_batch(int fd, const char *device, struct xb_batch *b) XB_MUST_CHECK;

/* Runs one kapi batch (XB_IOC_KAPI); 0, or a negative errno (recorded). */
int module_run_kapi(int fd, const char *device, struct xb_kapi_batch *b) XB_MUST_CHECK;

/* Runs one layout check in ring 0 (XB_IOC_VERIFY); 0, or a negative errno (recorded). */
int module_run_verify(int fd, const char *device, struct xb_verify *r) XB_MUST_CHECK;

/* Records the errno of a kapi batch made elsewhere (held_ioctl()); returns @rc. */
int module_kapi_failed(const char *device, long rc) XB_MUST_CHECK;

#endif
