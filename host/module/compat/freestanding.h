/*
 * freestanding.h - forced into every kernels/ and base/ object of the module build: they
 * are not kernel code, so the kernel's keyword macros that shadow GNU C attribute names (its
 * `fallthrough`, from linux/compiler_attributes.h) are undone for them.
 */
#undef fallthrough
