/* stdbool.h - for the module build: bool, true and false from the kernel's own. */
#ifndef XB_COMPAT_STDBOOL_H
#define XB_COMPAT_STDBOOL_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
