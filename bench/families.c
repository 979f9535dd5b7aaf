/*
 * families.c - the family table, from families.h's list.
 */
#include "families.h"

#define BENCH_FAMILY_ENTRY(name) &family_##name,

const struct bench_family *const bench_families[] = {
	BENCH_FAMILIES(BENCH_FAMILY_ENTRY)
	NULL,
};
