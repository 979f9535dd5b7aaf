/*
 * lock_file.h - one holder at a time across processes: an exclusive flock() on a file,
 * waited for up to a limit, the file naming its holder (written when taken) so that a
 * process kept waiting can say who holds it. The lock ends with the process that held it.
 */
#ifndef XB_HOST_LOCK_FILE_H
#define XB_HOST_LOCK_FILE_H

#include <stdio.h>

#include "error.h"

struct lock_file {
	int fd;
};

/*
 * Takes the lock of @path (created when missing), waiting up to @wait_seconds; says once on
 * @log that it waits and for whom; writes @holder into the file once it holds it. When the
 * lock is not free in time: -EWOULDBLOCK, the message naming the holder.
 */
int lock_file_take(const char *path, int wait_seconds, const char *holder, FILE *log,
		   struct lock_file *out) XB_MUST_CHECK;
void lock_file_release(struct lock_file *l);

#endif
