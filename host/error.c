/*
 * error.c - the per-thread last-error message.
 */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_error[XB_ERROR_MAX];

/* Formats into a temporary first, so a message may wrap the previous one (xb_error_message()). */
int xb_fail(int code, const char *fmt, ...)
{
	char message[sizeof(last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	memcpy(last_error, message, sizeof(last_error));
	return code > 0 ? -code : -1;
}

int xb_fail_errno(const char *fmt, ...)
{
	int err = errno ? errno : EIO;
	char what[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(last_error, sizeof(last_error), "%s: %s (errno %d)", what, strerror(err), err);
	return -err;
}

const char *xb_error_message(void)
{
	return last_error[0] ? last_error : "no error recorded";
}
