/*
 * msr_bench.c - the measured WRMSR batch. Ring 0 only. Freestanding.
 */
#include "msr_bench.h"
#include "../base/kstring.h"
#include "tsc.h"
#include "xsave_insn.h"

/*
 * @n writes, the value in EDX:EAX toggled by XOR after each: the loop skeleton (DEC + JNZ) is
 * the empty loop's, plus one XOR per write. Returns the value of the last write.
 */
static uint64_t write_loop(uint32_t msr, uint64_t first, uint32_t toggle, uint64_t n)
{
	uint32_t lo = (uint32_t)first, hi = (uint32_t)(first >> 32);

	__asm__ volatile("1:\n\twrmsr\n\txor %[t], %%eax\n\tdec %[c]\n\tjnz 1b"
			 : [c] "+r"(n), "+a"(lo)
			 : [t] "r"(toggle), "c"(msr), "d"(hi)
			 : "memory");
	return ((uint64_t)hi << 32) | (lo ^ toggle); /* undo the XOR after the last write */
}

bool msr_bench_sample(const struct msr_bench *b, struct msr_sample *out)
{
	uint32_t toggle = (uint32_t)(b->first ^ b->second);
	uint64_t t0, t1, last;

	kmem_set(out, 0, sizeof(*out));
	out->ops = b->ops;
	if (!b->ops || (b->first ^ b->second) >> 32)
		return false;
	if (b->warmup_ops)
		write_loop(b->msr, b->first, toggle, b->warmup_ops);
	t0 = tsc_begin();
	last = write_loop(b->msr, b->first, toggle, b->ops);
	t1 = tsc_end();
	out->gross_ticks = t1 - t0;
	out->expected = last;
	out->actual = rdmsr(b->msr);
	out->readback_ok = out->actual == out->expected;
	return out->readback_ok;
}
