/*
 * record_kvm_cpuid.c - writes this machine's KVM_GET_SUPPORTED_CPUID in the dump format
 * (host/cpuid_dump_file.h), XCR0 being what KVM offers guests. It made
 * tests/cpuid/kvm-supported-lab-6.1.dump inside the lab:
 *   scripts/lab/lab.sh run --put build/tests/record_kvm_cpuid --get kvm.dump:tests/cpuid/kvm-supported-lab-6.1.dump \
 *       -- sh -c './build/tests/record_kvm_cpuid > kvm.dump'
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "host/cpuid_dump_file.h"
#include "host/kvm/guest_cpuid.h"

int main(void)
{
	static struct cpuid_dump dump;
	struct kvm_cpuid2 *c;
	char *text;
	int kvm_fd;

	if (kvm_open(&kvm_fd) || kvm_supported_cpuid(kvm_fd, &c)) {
		fprintf(stderr, "record_kvm_cpuid: %s\n", xb_error_message());
		return 1;
	}
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		struct cpuid_regs r = { e->eax, e->ebx, e->ecx, e->edx };

		cpuid_dump_add(&dump, e->function, e->index, &r);
	}
	dump.xcr0 = kvm_cpuid_xcr0_supported(c);
	text = cpuid_dump_format(&dump, NULL, NULL, "KVM_GET_SUPPORTED_CPUID of a nested KVM (Debian 6.1 kernel, kvm_amd, "
				 "QEMU 7.2 TCG -cpu max), recorded by tests/lab/record_kvm_cpuid.c; xcr0 = leaf 0xD's supported mask");
	fputs(text, stdout);
	free(text);
	free(c);
	close(kvm_fd);
	return 0;
}
