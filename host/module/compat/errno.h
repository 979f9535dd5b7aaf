/* errno.h - for the module build: the error numbers from the kernel's own. */
#ifndef XB_COMPAT_ERRNO_H
#define XB_COMPAT_ERRNO_H
#include <linux/errno.h>
#endif
