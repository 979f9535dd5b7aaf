/*
 * clock_ref.c - the dependent-ADD chain. Freestanding.
 */
#include "clock_ref.h"
#include "tsc.h"

uint64_t clock_ref_chain_ticks(uint32_t iterations)
{
	uint64_t n = iterations ? iterations : 1, x = 0, one = 1, t0, t1;

	t0 = tsc_begin();
	/* The loop counter runs beside the chain; only the ADDs on x depend on each other. The
	 * addend is a register: Intel cores since Golden Cove fold ADD of an immediate at rename
	 * (measured under a Sapphire Rapids-class Xeon: 9 dependent ADD $1 per TSC tick). */
	__asm__ volatile("1:\n\t.rept 50\n\tadd %[one], %[x]\n\t.endr\n\tdec %[n]\n\tjnz 1b"
			 : [n] "+r"(n), [x] "+r"(x) : [one] "r"(one));
	t1 = tsc_end();
	return t1 - t0;
}
