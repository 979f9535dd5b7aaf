/*
 * test_kvm_cpuid.c - filtering KVM's supported CPUID to a launch's features, against
 * recorded data: the lab's nested KVM (kvm-supported-lab-6.1.dump, recorded there) and the
 * hand-written Sapphire Rapids dump standing in for an AMX host's supported CPUID. Feature
 * bits of components left out are cleared, leaf 0xD's masks and sizes agree with the
 * filtered XCR0 and XSS and its sub-leaves of left-out components are gone; what KVM does
 * not offer is refused; a table read back is compared with the one set in what the filter
 * decided, and only in that.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/cpuid_dump_file.h"
#include "host/kvm/guest_cpuid.h"
#include "kernels/xfeature.h"

/* Leaves whose sub-leaves differ, flagged as KVM flags them. */
static bool indexed_leaf(uint32_t leaf)
{
	return leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0xf || leaf == 0x10 ||
	       leaf == 0x12 || leaf == 0x14 || leaf == 0x1d || leaf == 0x1e || leaf == 0x1f;
}

/* A recorded dump as the table KVM_GET_SUPPORTED_CPUID returns. */
static struct kvm_cpuid2 *load(const char *name)
{
	static struct cpuid_dump dump;
	struct kernel_facts kernel;
	struct kvm_info kvm;
	struct kvm_cpuid2 *c;
	char path[512], *text;
	long size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TEST_CPUID_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	assert_int_equal(fread(text, 1, (size_t)size, f), size);
	fclose(f);
	memset(&dump, 0, sizeof(dump));
	assert_int_equal(cpuid_dump_parse(text, name, &dump, &kernel, &kvm), 0);
	free(text);
	c = calloc(1, sizeof(*c) + dump.nr_entries * sizeof(c->entries[0]));
	c->nent = dump.nr_entries;
	for (uint32_t i = 0; i < dump.nr_entries; i++) {
		const struct cpuid_entry *e = &dump.entries[i];

		c->entries[i] = (struct kvm_cpuid_entry2){
			.function = e->leaf, .index = e->subleaf,
			.flags = indexed_leaf(e->leaf) ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
			.eax = e->regs.eax, .ebx = e->regs.ebx, .ecx = e->regs.ecx, .edx = e->regs.edx,
		};
	}
	return c;
}

static bool bit(struct kvm_cpuid2 *c, uint32_t leaf, uint32_t sub, char reg, int b)
{
	struct kvm_cpuid_entry2 *e = kvm_cpuid_find(c, leaf, sub);
	uint32_t v;

	assert_non_null(e);
	v = reg == 'a' ? e->eax : reg == 'b' ? e->ebx : reg == 'c' ? e->ecx : e->edx;
	return (v >> b) & 1;
}

static void test_lab_kvm_fp_only(void **state)
{
	struct kvm_cpuid2 *c = load("kvm-supported-lab-6.1.dump");
	struct kvm_cpuid_entry2 *d0;

	(void)state;
	assert_int_equal(kvm_cpuid_xcr0_supported(c), 0x207);
	assert_true(bit(c, 1, 0, 'c', 28) && bit(c, 7, 0, 'b', 5) && bit(c, 7, 0, 'c', 3));
	assert_int_equal(kvm_cpuid_filter(c, XFEATURES_FP, 0), 0);
	assert_false(bit(c, 1, 0, 'c', 28)); /* AVX */
	assert_false(bit(c, 1, 0, 'c', 12)); /* FMA */
	assert_false(bit(c, 7, 0, 'b', 5));  /* AVX2 */
	assert_false(bit(c, 7, 0, 'c', 3));  /* PKU */
	assert_true(bit(c, 1, 0, 'c', 26));  /* XSAVE itself stays */
	d0 = kvm_cpuid_find(c, 0xd, 0);
	assert_int_equal(d0->eax, XFEATURES_FP);
	assert_int_equal(d0->edx, 0);
	assert_int_equal(d0->ecx, 576);
	assert_int_equal(d0->ebx, 576);
	assert_null(kvm_cpuid_find(c, 0xd, 2)); /* the AVX and PKRU sub-leaves are gone */
	assert_null(kvm_cpuid_find(c, 0xd, 9));
	assert_non_null(kvm_cpuid_find(c, 0xd, 1));
	free(c);
}

static void test_lab_kvm_avx(void **state)
{
	struct kvm_cpuid2 *c = load("kvm-supported-lab-6.1.dump");

	(void)state;
	assert_int_equal(kvm_cpuid_filter(c, XFEATURES_AVX, 0), 0);
	assert_true(bit(c, 1, 0, 'c', 28) && bit(c, 7, 0, 'b', 5));
	assert_false(bit(c, 7, 0, 'c', 3));
	assert_int_equal(kvm_cpuid_find(c, 0xd, 0)->ecx, 832); /* 576 + 256 bytes of YMM_Hi128 */
	assert_non_null(kvm_cpuid_find(c, 0xd, 2));
	assert_null(kvm_cpuid_find(c, 0xd, 9));
	free(c);
}

static void test_refuses_what_kvm_lacks(void **state)
{
	struct kvm_cpuid2 *c = load("kvm-supported-lab-6.1.dump");

	(void)state;
	assert_int_equal(kvm_cpuid_filter(c, XFEATURES_AVX512, 0), -ENOTSUP);
	assert_non_null(strstr(xb_error_message(), "offers XCR0 features 0x207, not 0xe0"));
	assert_int_equal(kvm_cpuid_filter(c, XFEATURE_MASK(XFEATURE_SSE), 0), -EINVAL);
	assert_non_null(strstr(xb_error_message(), "lacks x87"));
	assert_int_equal(kvm_cpuid_filter(c, XFEATURES_FP, 0x800), -ENOTSUP);
	assert_non_null(strstr(xb_error_message(), "XSS features 0x0, not 0x800"));
	free(c);
}

static void test_sapphirerapids_amx(void **state)
{
	struct kvm_cpuid2 *c = load("intel-sapphirerapids.dump");
	struct kvm_cpuid_entry2 *d0;

	(void)state;
	assert_int_equal(kvm_cpuid_filter(c, XFEATURES_AMX, 0x800), 0);
	assert_true(bit(c, 7, 0, 'd', 24) && bit(c, 7, 0, 'b', 16)); /* AMX-TILE, AVX512F */
	assert_false(bit(c, 7, 0, 'c', 3));                            /* no PKRU asked for */
	assert_true(bit(c, 7, 0, 'c', 7));                             /* CET_SS: CET_U in XSS */
	d0 = kvm_cpuid_find(c, 0xd, 0);
	assert_int_equal(d0->eax, XFEATURES_AMX);
	assert_int_equal(d0->ecx, 2816 + 8192); /* XTILEDATA ends the standard layout */
	assert_int_equal(kvm_cpuid_find(c, 0xd, 1)->ecx, 0x800);
	assert_non_null(kvm_cpuid_find(c, 0xd, 18));
	assert_null(kvm_cpuid_find(c, 0xd, 9));
	free(c);
}

static void test_sapphirerapids_avx512_drops_tiles(void **state)
{
	struct kvm_cpuid2 *c = load("intel-sapphirerapids.dump");

	(void)state;
	assert_int_equal(kvm_cpuid_filter(c, XFEATURES_AVX512, 0), 0);
	assert_false(bit(c, 7, 0, 'd', 24) || bit(c, 7, 0, 'd', 22) || bit(c, 7, 0, 'd', 25));
	assert_false(bit(c, 7, 0, 'c', 7)); /* no CET without CET_U */
	assert_true(bit(c, 7, 0, 'b', 16) && bit(c, 7, 0, 'b', 31));
	assert_null(kvm_cpuid_find(c, 0xd, 17));
	assert_null(kvm_cpuid_find(c, 0xd, 18));
	assert_null(kvm_cpuid_find(c, 0xd, 11));
	assert_int_equal(kvm_cpuid_find(c, 0xd, 0)->ecx, 1664 + 1024); /* Hi16_ZMM ends it */
	assert_int_equal(kvm_cpuid_find(c, 0xd, 1)->ecx, 0);
	free(c);
}

/* A pre-XSAVE CPU (Nehalem-like) for the seed's migration case: no XSAVE, OSXSAVE, AVX or
 * leaf 0xD at all, the rest of leaf 1 kept. */
static void test_without_xsave(void **state)
{
	static const char *const dumps[] = { "kvm-supported-lab-6.1.dump", "intel-sapphirerapids.dump" };

	(void)state;
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		struct kvm_cpuid2 *c = load(dumps[i]);
		uint32_t nent = c->nent;

		assert_true(bit(c, 1, 0, 'c', 26));
		assert_int_equal(kvm_cpuid_without_xsave(c), 0);
		assert_false(bit(c, 1, 0, 'c', 26)); /* XSAVE */
		assert_false(bit(c, 1, 0, 'c', 27)); /* OSXSAVE */
		assert_false(bit(c, 1, 0, 'c', 28)); /* AVX */
		assert_true(bit(c, 1, 0, 'd', 25) && bit(c, 1, 0, 'd', 26)); /* SSE, SSE2 */
		assert_false(bit(c, 7, 0, 'b', 5));  /* AVX2 */
		for (uint32_t e = 0; e < c->nent; e++)
			assert_int_not_equal(c->entries[e].function, 0xd);
		assert_true(c->nent < nent);
		free(c);
	}
}

static struct kvm_cpuid2 *copy(const struct kvm_cpuid2 *c)
{
	size_t size = sizeof(*c) + c->nent * sizeof(c->entries[0]);
	struct kvm_cpuid2 *d = malloc(size);

	assert_non_null(d);
	memcpy(d, c, size);
	return d;
}

/* What KVM_GET_CPUID2 may give back after KVM_SET_CPUID2 of a filtered table: the fields KVM
 * updates at run time may differ; the masks and the cleared feature bits may not (kvm_pvm
 * gives back its own CPUID.(0DH,0):EAX and AVX bits). */
static void test_filter_kept(void **state)
{
	struct kvm_cpuid2 *set = load("kvm-supported-lab-6.1.dump"), *got;
	char diff[256] = "unset";

	(void)state;
	assert_int_equal(kvm_cpuid_filter(set, XFEATURES_FP, 0), 0);
	got = copy(set);
	assert_true(kvm_cpuid_filter_kept(set, got, diff, sizeof(diff)));
	assert_string_equal(diff, "");
	kvm_cpuid_find(got, 0xd, 0)->ebx = 832; /* sizes follow the guest's XCR0 */
	kvm_cpuid_find(got, 1, 0)->ecx ^= 1u << 27; /* OSXSAVE follows CR4 */
	assert_true(kvm_cpuid_filter_kept(set, got, diff, sizeof(diff)));

	kvm_cpuid_find(got, 0xd, 0)->eax = 0x207;
	assert_false(kvm_cpuid_filter_kept(set, got, diff, sizeof(diff)));
	assert_string_equal(diff, "KVM_GET_CPUID2 after KVM_SET_CPUID2 gives CPUID.(0DH,0):EDX:EAX 0x207, not the 0x3 set");
	kvm_cpuid_find(got, 0xd, 0)->eax = XFEATURES_FP;
	kvm_cpuid_find(got, 0xd, 1)->ecx = 0x800;
	assert_false(kvm_cpuid_filter_kept(set, got, diff, sizeof(diff)));
	assert_non_null(strstr(diff, "CPUID.(0DH,1):EDX:ECX 0x800, not the 0x0 set"));
	kvm_cpuid_find(got, 0xd, 1)->ecx = 0;
	kvm_cpuid_find(got, 1, 0)->ecx |= 1u << 28;
	assert_false(kvm_cpuid_filter_kept(set, got, diff, sizeof(diff)));
	assert_string_equal(diff, "KVM_GET_CPUID2 after KVM_SET_CPUID2 gives CPUID.(EAX=1H,ECX=0):ECX[28] AVX = 1, "
			    "cleared in the table set (xfeatures 0x4 not allowed)");
	free(got);
	free(set);
}

/* A table without XSAVE must read back without it: kvm_pvm's own XSAVE bit or leaf 0xD is a
 * replaced CPUID too. */
static void test_filter_kept_without_xsave(void **state)
{
	struct kvm_cpuid2 *set = load("kvm-supported-lab-6.1.dump"), *got, *with_leaf_d;
	char diff[256] = "unset";

	(void)state;
	with_leaf_d = copy(set);
	assert_int_equal(kvm_cpuid_filter(with_leaf_d, XFEATURES_FP, 0), 0);
	assert_int_equal(kvm_cpuid_without_xsave(set), 0);
	got = copy(set);
	assert_true(kvm_cpuid_filter_kept(set, got, diff, sizeof(diff)));
	assert_string_equal(diff, "");

	kvm_cpuid_find(got, 1, 0)->ecx |= 1u << 26;
	assert_false(kvm_cpuid_filter_kept(set, got, diff, sizeof(diff)));
	assert_string_equal(diff, "KVM_GET_CPUID2 after KVM_SET_CPUID2 gives CPUID.(EAX=1H,ECX=0):ECX[26] XSAVE = 1 "
			    "and leaf 0xD absent, not the XSAVE = 0 and no leaf 0xD set");
	/* the table KVM keeps for a vCPU with XSAVE, handed back for one set without */
	assert_false(kvm_cpuid_filter_kept(set, with_leaf_d, diff, sizeof(diff)));
	assert_non_null(strstr(diff, "XSAVE = 1 and leaf 0xD present, not the XSAVE = 0 and no leaf 0xD set"));
	/* a table with leaf 0xD is judged on its masks and bits, whatever its XSAVE bit */
	kvm_cpuid_find(with_leaf_d, 1, 0)->ecx &= ~(1u << 26);
	free(got);
	got = copy(with_leaf_d);
	kvm_cpuid_find(got, 1, 0)->ecx |= 1u << 26;
	assert_true(kvm_cpuid_filter_kept(with_leaf_d, got, diff, sizeof(diff)));
	free(with_leaf_d);
	free(got);
	free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_kvm_fp_only),
		cmocka_unit_test(test_lab_kvm_avx),
		cmocka_unit_test(test_refuses_what_kvm_lacks),
		cmocka_unit_test(test_filter_kept),
		cmocka_unit_test(test_sapphirerapids_amx),
		cmocka_unit_test(test_sapphirerapids_avx512_drops_tiles),
		cmocka_unit_test(test_without_xsave),
		cmocka_unit_test(test_filter_kept_without_xsave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
