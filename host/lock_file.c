/*
 * lock_file.c - flock() with a deadline, polled once a second.
 */
#include "lock_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* What the holder wrote into the lock file, on one line. */
static void read_holder(int fd, char *out, size_t size)
{
	ssize_t n = pread(fd, out, size - 1, 0);

	out[n > 0 ? n : 0] = 0;
	out[strcspn(out, "\n")] = 0;
	if (!out[0])
		snprintf(out, size, "a process that wrote nothing into it");
}

int lock_file_take(const char *path, int wait_seconds, const char *holder, FILE *log, struct lock_file *out)
{
	time_t deadline = time(NULL) + wait_seconds;
	char who[256];
	bool said = false;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

	out->fd = -1;
	if (fd < 0)
		return xb_fail_errno("open the lock %s", path);
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			int rc = xb_fail_errno("flock %s", path);

			close(fd);
			return rc;
		}
		read_holder(fd, who, sizeof(who));
		if (time(NULL) >= deadline) {
			close(fd);
			return xb_fail(EWOULDBLOCK, "the lock %s is held by %s (waited %d s)", path, who, wait_seconds);
		}
		if (!said)
			fprintf(log, "waiting up to %d s for the lock %s, held by %s\n", wait_seconds, path, who);
		said = true;
		fflush(log);
		sleep(1);
	}
	if (ftruncate(fd, 0) || pwrite(fd, holder, strlen(holder), 0) < 0) {
		int rc = xb_fail_errno("write the lock %s", path);

		close(fd);
		return rc;
	}
	out->fd = fd;
	return 0;
}

void lock_file_release(struct lock_file *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
