/*
 * fuzz_guest_records.c - libFuzzer target: the host's one reader of the guest payload's
 * records (host/guest_records.c), on arbitrary output. Every record it accepts is read back
 * field by field, as numbers too, as the launchers read them.
 */
#include "fuzz_input.h"

#include "host/guest_records.h"

static int read_back(void *ctx, const struct guest_record *r)
{
	uint64_t u;
	int64_t i;

	(void)ctx;
	if (!r->kind[0] || r->nr_fields < 0 || r->nr_fields > GUEST_RECORD_MAX_FIELDS)
		abort();
	for (int k = 0; k < r->nr_fields; k++) {
		if (guest_record_get(r, r->fields[k].key) == NULL)
			abort(); /* a field it parsed must be found again */
		if (guest_record_u64(r, r->fields[k].key, &u) && guest_record_i64(r, r->fields[k].key, &i))
			continue; /* not a number: refused with a message, as it should be */
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the reader takes a buffer and its length: no NUL needed, none added */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (guest_records_each((const char *)copy, size, read_back, NULL) > 0)
		abort();
	free(copy);
	return 0;
}
