/*
 * gnuplot.c - posix_spawn of gnuplot in the report directory.
 */
#include "gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int gnuplot_run(const char *dir, const char *script)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	posix_spawn_file_actions_t actions;
	char log[4096];
	pid_t pid;
	int status, rc;

	snprintf(log, sizeof(log), "%s/gnuplot.log", dir);
	posix_spawn_file_actions_init(&actions);
	/* in this order: the log path is relative to our working directory, not to @dir */
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addchdir_np(&actions, dir);
	rc = posix_spawnp(&pid, "gnuplot", &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (rc) {
		errno = rc;
		return xb_fail_errno("posix_spawnp gnuplot (is gnuplot-nox installed?)");
	}
	if (waitpid(pid, &status, 0) < 0)
		return xb_fail_errno("waitpid gnuplot");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return xb_fail(EIO, "gnuplot %s/%s failed (status 0x%x): see %s", dir, script, status, log);
	return 0;
}
