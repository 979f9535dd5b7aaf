/* stdint.h - for the module build: kernels/' fixed-width types from the kernel's own. */
#ifndef XB_COMPAT_STDINT_H
#define XB_COMPAT_STDINT_H
#include <linux/types.h>
#endif
