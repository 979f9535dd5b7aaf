/*
 * fuzz_worklist.c - libFuzzer target: the guest payload's work list (guest/worklist.c, the
 * payload's boot command line), parsed as the payload parses it; every pattern it accepts is
 * matched against ids from the input, and the matcher must agree with fnmatch(3), whose '*'
 * means the same, wherever the pattern has none of fnmatch's other special characters.
 */
#include "fuzz_input.h"

#include <fnmatch.h>

#include "guest/worklist.h"

static struct worklist w;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128], *text, *ids;

	if (size < 1)
		return 0;
	/* the first byte: whether to drop the first word (multiboot); the rest up to a NUL is the
	 * command line, what follows it the ids to match */
	text = fuzz_string(data + 1, size - 1);
	ids = text + strlen(text) + (strlen(text) < size - 1);
	if (worklist_parse(&w, text, data[0] & 1, err, sizeof(err))) {
		for (int i = 0; i < w.nr_patterns; i++) {
			const char *p = w.patterns[i];
			bool plain = !strpbrk(p, "?[\\");

			if (plain && worklist_match(p, ids) != !fnmatch(p, ids, 0))
				abort();
			if (!plain)
				(void)worklist_match(p, ids);
		}
	} else if (!err[0]) {
		abort(); /* a refusal names the word */
	}
	free(text);
	return 0;
}
