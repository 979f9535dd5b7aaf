/*
 * xfeature.c - the components' names. Freestanding.
 */
#include "xfeature.h"

/* The kernel's strings, from arch/x86/kernel/fpu/xstate.c, with its numbering quirk:
 * component 6 (ZMM_Hi256) is "AVX-512 Hi256", component 7 (Hi16_ZMM) "AVX-512 ZMM_Hi256". */
static const char *const kernel_names[XFEATURE_COUNT] = {
	"x87 floating point registers",
	"SSE registers",
	"AVX registers",
	"MPX bounds registers",
	"MPX CSR",
	"AVX-512 opmask",
	"AVX-512 Hi256",
	"AVX-512 ZMM_Hi256",
	"Processor Trace (unused)",
	"Protection Keys User registers",
	"PASID state",
	"Control-flow User registers",
	"Control-flow Kernel registers (unused)",
	"unknown xstate feature",
	"unknown xstate feature",
	"unknown xstate feature",
	"unknown xstate feature",
	"AMX Tile config",
	"AMX Tile data",
	"APX registers",
};

static const char *const short_names[XFEATURE_COUNT] = {
	"x87",	 "sse",	  "ymm",   "bndregs", "bndcsr",	   "opmask",	"zmm_hi256",
	"hi16_zmm", "pt", "pkru",  "pasid",   "cet_user",  "cet_kernel", "hdc",
	"uintr", "lbr",	  "hwp",   "xtilecfg", "xtiledata", "apx",
};

const char *xfeature_name(unsigned int id)
{
	return id < XFEATURE_COUNT ? kernel_names[id] : "unknown xstate feature";
}

const char *xfeature_short_name(unsigned int id)
{
	return id < XFEATURE_COUNT ? short_names[id] : "unknown";
}
