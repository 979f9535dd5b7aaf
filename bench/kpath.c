/*
 * kpath.c - shared planning, holds and the fresh helper process of the kernel-path families.
 */
#include "kpath.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../host/xstate_buffer.h"
#include "../host/xstate_perm.h"
#include "companion.h"
#include "plan.h"
#include "require.h"

#define HOLD_SEED 0x4b1d
#define FRESH_NAME "xstate-bench-fresh"
#define SPAWN_FD_FLOOR 10

const char *const kpath_feature_sets[] = { "none", "fp", "avx", "avx512", "amx" };
const size_t kpath_nr_feature_sets = sizeof(kpath_feature_sets) / sizeof(kpath_feature_sets[0]);

struct bench_case *kpath_plan(const struct machine *m, struct plan *plan, const struct bench_family *f,
			      const char *id, const char *features, bool extra_ok, const char *extra_why)
{
	char why[CASE_REASON_MAX];
	uint64_t mask = 0;
	struct bench_case *c;
	bool ok = require_layout(m, why, sizeof(why));

	if (ok && strcmp(features, "none")) {
		feature_set_parse(features, m->layout.xcr0, m->layout.xss, &mask);
		ok = require_features(m, mask, false, why, sizeof(why));
	}
	/* every task here holds exactly its components in use, the rest in init */
	if (ok)
		ok = require_init_tracking(m, why, sizeof(why));
	if (ok && !extra_ok) {
		snprintf(why, sizeof(why), "%s", extra_why);
		ok = false;
	}
	c = plan_add(plan, f, id, ok ? NULL : "%s", why);
	if (c)
		c->features = mask;
	return c;
}

int kpath_holds_init(struct kpath_holds *h, struct bench_case *c, const struct xstate_layout *l, int nr)
{
	uint32_t hold_bytes, caller_bytes;
	uint64_t usable;
	int rc;

	memset(h, 0, sizeof(*h));
	if (nr < 1 || nr > 2)
		return xb_fail(EINVAL, "a kernel-path case has one or two holds, not %d", nr);
	rc = xstate_request_perm(l, c->features, &usable);
	if (rc)
		return rc;
	h->load_mask = xstate_hold_load_mask(l, c->features, usable);
	hold_bytes = xstate_hold_bytes(l, h->load_mask);
	caller_bytes = (xstate_size_standard(l, h->load_mask) + 63) & ~63u;
	h->mem = xstate_buffer_alloc((size_t)nr * hold_bytes + caller_bytes);
	if (!h->mem)
		return xb_fail(ENOMEM, "out of memory for the held xstate");
	for (int i = 0; i < nr; i++) {
		if (!xstate_hold_init(&h->hold[i], l, c->features, h->load_mask, HOLD_SEED + (uint32_t)i,
				      (uint8_t *)h->mem + (size_t)i * hold_bytes)) {
			kpath_holds_free(h);
			return xb_fail(EINVAL, "cannot build the state of mask 0x%" PRIx64, c->features);
		}
	}
	h->caller = (uint8_t *)h->mem + (size_t)nr * hold_bytes;
	case_set_attribute(c, "in_use", "0x%" PRIx64, c->features);
	case_set_attribute(c, "load_mask", "0x%" PRIx64, h->load_mask);
	return 0;
}

void kpath_holds_free(struct kpath_holds *h)
{
	xstate_buffer_free(h->mem);
	h->mem = NULL;
}

void kpath_hold_error(char *out, size_t size, const char *who, struct hold_result r)
{
	snprintf(out, size, "%s: %s (expected 0x%" PRIx64 ", got 0x%" PRIx64 "): no number reported", who,
		 xstate_hold_check_str(r.check), r.expected, r.actual);
}

/* Adds dup2(@fd, @target) for the child; @fd is first moved above the low numbers. */
static int add_dup(posix_spawn_file_actions_t *fa, int fd, int target, int *moved)
{
	*moved = fcntl(fd, F_DUPFD_CLOEXEC, SPAWN_FD_FLOOR);
	if (*moved < 0)
		return xb_fail_errno("fcntl(F_DUPFD_CLOEXEC)");
	return posix_spawn_file_actions_adddup2(fa, *moved, target) ? xb_fail(ENOMEM, "posix_spawn_file_actions_adddup2")
								   : 0;
}

int kpath_spawn_fresh(const char *const args[], const int child_fds[2], int *out, pid_t *pid)
{
	char path[PATH_MAX + 32];
	const char *argv[8] = { FRESH_NAME };
	int moved[3] = { -1, -1, -1 }, pipefd[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	int rc, i;

	rc = companion_path(FRESH_NAME, X_OK, path, sizeof(path));
	if (rc)
		return rc;
	for (i = 0; args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	if (out && pipe2(pipefd, O_CLOEXEC))
		return xb_fail_errno("pipe2");
	posix_spawn_file_actions_init(&fa);
	if (child_fds)
		rc = add_dup(&fa, child_fds[0], 3, &moved[0]);
	if (!rc && child_fds)
		rc = add_dup(&fa, child_fds[1], 4, &moved[1]);
	if (!rc && out)
		rc = add_dup(&fa, pipefd[1], STDOUT_FILENO, &moved[2]);
	if (!rc) {
		rc = posix_spawn(pid, path, &fa, NULL, (char *const *)argv, environ);
		if (rc)
			rc = xb_fail(rc, "posix_spawn %s: %s", path, strerror(rc));
	}
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < 3; i++)
		if (moved[i] >= 0)
			close(moved[i]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (out && !rc)
		*out = pipefd[0];
	else if (pipefd[0] >= 0)
		close(pipefd[0]);
	return rc;
}

int kpath_wait(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return xb_fail_errno("waitpid(%s)", what);
	if (WIFSIGNALED(status))
		return xb_fail(EIO, "%s killed by signal %d", what, WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return xb_fail(EIO, "%s exited with status %d (its message is on stderr)", what,
			       WEXITSTATUS(status));
	return 0;
}

int kpath_run_fresh(const char *const args[], char *line, size_t size)
{
	size_t used = 0;
	ssize_t n;
	pid_t pid;
	int fd, rc = kpath_spawn_fresh(args, NULL, &fd, &pid);

	if (rc)
		return rc;
	while (used + 1 < size && (n = read(fd, line + used, size - 1 - used)) > 0)
		used += (size_t)n;
	line[used] = '\0';
	close(fd);
	return kpath_wait(pid, "xstate-bench-fresh");
}

void kpath_fresh_setup(struct bench_case *c, const char *per_op)
{
	c->ops_per_batch = 1;
	case_set_attribute(c, "per_op", "%s", per_op);
}

void kpath_fresh_teardown(struct bench_case *c)
{
	(void)c;
}
