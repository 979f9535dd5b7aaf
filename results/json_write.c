/*
 * json_write.c - printing and freeing a cJSON document.
 */
#include "json_write.h"

#include <errno.h>
#include <stdlib.h>

int json_write(cJSON *root, FILE *out)
{
	char *text = cJSON_Print(root);

	cJSON_Delete(root);
	if (!text)
		return xb_fail(ENOMEM, "out of memory");
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}
