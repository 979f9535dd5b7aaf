/*
 * fuzz_cpuid_dump.c - libFuzzer target: a recorded machine (the .dump format) read as
 * `probe --cpuid-dump` reads it: parsed, then the CPU and the xstate layout decoded from its
 * CPUID leaves. A dump that is accepted must come back the same through the writer.
 */
#include "fuzz_input.h"

#include "host/cpuid_dump_file.h"
#include "host/machine.h"

static struct machine m;
static struct cpuid_dump again;
static struct kernel_facts kernel_again;
static struct kvm_info kvm_again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], *text;
	int fd = fuzz_file(data, size, path, sizeof(path));

	if (!machine_from_dump_file(&m, path)) {
		if (!(text = machine_dump_text(&m)))
			abort();
		if (cpuid_dump_parse(text, "again", &again, &kernel_again, &kvm_again) ||
		    again.nr_entries != m.dump.nr_entries || again.xcr0 != m.dump.xcr0 ||
		    again.has_xss != m.dump.has_xss || again.has_xinuse != m.dump.has_xinuse ||
		    memcmp(again.entries, m.dump.entries, again.nr_entries * sizeof(again.entries[0])) ||
		    strcmp(kernel_again.release, m.kernel.release) || kernel_again.xcomp_supp != m.kernel.xcomp_supp ||
		    kernel_again.minsigstksz != m.kernel.minsigstksz)
			abort();
		free(text);
	}
	close(fd);
	return 0;
}
