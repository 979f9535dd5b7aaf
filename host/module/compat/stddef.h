/* stddef.h - for the module build: size_t and NULL from the kernel's own. */
#ifndef XB_COMPAT_STDDEF_H
#define XB_COMPAT_STDDEF_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
