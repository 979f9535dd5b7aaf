/*
 * error.h - how host functions report failure. A function that can fail returns 0 or a
 * negative errno-style code, after recording a message that names the failing call,
 * e.g. "KVM_CREATE_VM: Operation not permitted (errno 1)". The caller decides whether to
 * print it (xb_error_message()) or to turn it into a skip.
 */
#ifndef XB_HOST_ERROR_H
#define XB_HOST_ERROR_H

#define XB_MUST_CHECK __attribute__((warn_unused_result))
#define XB_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* The longest message kept, with its NUL. */
#define XB_ERROR_MAX 512

/* Records the message and returns -code (code > 0), or -1 when code <= 0. The message may
 * include xb_error_message(), to add context to an error from below. */
int xb_fail(int code, const char *fmt, ...) XB_PRINTF(2, 3);
/* Records "<message>: <strerror(errno)> (errno N)" and returns -errno. */
int xb_fail_errno(const char *fmt, ...) XB_PRINTF(1, 2);
/* The last recorded message of this thread. */
const char *xb_error_message(void);

#endif
