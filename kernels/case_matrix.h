/*
 * case_matrix.h - the case matrices the native, ring-0 and guest sites share, each declared
 * once, in the manner of kvm-unit-tests' x86/vmexit.c: a row per operation with the sites
 * that run it. Which feature sets and conditions an operation takes follows from the rows of
 * base/ids.h (a set's case lists, a condition's operations) and from the instruction:
 * FXSAVE and FXRSTOR reach the legacy area only (x87 and SSE), and only XSAVES and XRSTORS
 * reach supervisor state. The cases come out in the order of their ids; the native and
 * ring-0 families plan them, the payload and its planner on the host enumerate the guest's.
 * Freestanding.
 */
#ifndef XB_KERNELS_CASE_MATRIX_H
#define XB_KERNELS_CASE_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/ids.h"
#include "fpu_switch_bench.h"
#include "xsave_bench.h"

/* The sites that share the matrices (bits of a row's sites). */
enum matrix_site {
	MATRIX_NATIVE = 0x1, /* native/...: user space */
	MATRIX_RING0 = 0x2,  /* native/ring0/...: the kernel module */
	MATRIX_GUEST = 0x4,  /* guest/...: the payload in ring 0 */
};

/* Room for any site's save/restore or switch matrix. */
#define MATRIX_CASES_MAX 128
/* Room for any site's component list on a machine with every component of base/xfeature.h. */
#define COMPONENT_CASES_MAX 512

struct matrix_case {
	enum xsave_op op;           /* the save or restore; XOP_EMPTY in the switch matrix */
	enum fpu_strategy strategy; /* the switch matrix */
	enum feature_set_id set;
	enum condition cond;
	unsigned int added;         /* the component list: the component added to the set; 0: none */
};

/* Every save and restore of @site's matrix, in id order, into @out (room for @max); returns
 * how many there are. */
int save_matrix(enum matrix_site site, struct matrix_case *out, int max);

/* Every switch of @site's matrix, in id order, as save_matrix(). */
int switch_matrix(enum matrix_site site, struct matrix_case *out, int max);

/*
 * The component list of @site on a machine with @xcr0 and @xss enabled, as save_matrix():
 * each save and restore of the XSAVE family (not FXSAVE/FXRSTOR) over each set of the list
 * (base/ids.h: FS_IN_COMPONENTS), alone and with each other component it can reach added
 * (XCR0's; IA32_XSS's too for XSAVES/XRSTORS), in the conditions the list takes; then the
 * save/restore matrix's other sets (avx512, user, amx, all) in the conditions only the list
 * takes (modified). Its ids name the sets with feature_set_format():
 * native/save/xsavec/fp+zmm_hi256/inuse, native/save/xsavec/avx512/modified.
 */
int component_matrix(enum matrix_site site, uint64_t xcr0, uint64_t xss, struct matrix_case *out, int max);

/* The id of @c at @site: native/save/xsavec/avx/inuse, native/ring0/switch/..., guest/...;
 * a component list's case (c->added) is named by its caller with feature_set_format(). */
struct bench_id matrix_case_id(enum matrix_site site, const struct matrix_case *c);

#endif
