/*
 * qemu_launcher.c - running the payload under qemu-system-x86_64.
 *
 * The guest's port 0xE9 bytes come through a pipe QEMU sees as /dev/fd/3 (-debugcon
 * file:/dev/fd/3); its stdout and stderr through another pipe, whose tail explains a QEMU
 * that failed. A watchdog (poll with a deadline) kills QEMU with SIGKILL. QEMU's exit code
 * says how the guest ended: status * 2 + 1 after a write to isa-debug-exit; 0 after a guest
 * shutdown or triple fault (-no-reboot). Exit code 1 is both "guest status 0" and QEMU's own
 * failure: it counts as the guest's only when the guest wrote output (the payload always
 * writes its hello record first).
 */
#include "qemu_launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../kernels/cpuid.h"
#include "../../kernels/xfeature.h"
#include "../error.h"
#include "../machine.h"

#define QEMU_BINARY "qemu-system-x86_64"
#define DEBUGCON_FD 3
#define STDERR_TAIL 1024
#define DEFAULT_MEM_MIB 64
#define MAX_ARGS 40

/* The binary: $XSTATE_BENCH_QEMU, else qemu-system-x86_64 on $PATH. */
static bool find_qemu(char *path, size_t size)
{
	const char *env = getenv("XSTATE_BENCH_QEMU");
	const char *dirs = getenv("PATH");
	char *copy, *save = NULL;
	bool found = false;

	if (env && *env) {
		snprintf(path, size, "%s", env);
		return access(path, X_OK) == 0;
	}
	copy = strdup(dirs && *dirs ? dirs : "/usr/bin:/bin");
	if (!copy)
		return false;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, size, "%s/%s", d, QEMU_BINARY);
		found = access(path, X_OK) == 0;
	}
	free(copy);
	return found;
}

static bool qemu_available(char *why, size_t size)
{
	char path[512];

	if (find_qemu(path, sizeof(path)))
		return true;
	snprintf(why, size, "%s not found (install Debian's qemu-system-x86, or set XSTATE_BENCH_QEMU)",
		 getenv("XSTATE_BENCH_QEMU") && *getenv("XSTATE_BENCH_QEMU") ? getenv("XSTATE_BENCH_QEMU")
									      : QEMU_BINARY " on $PATH");
	return false;
}

/* KVM can run the payload's ring-0 code: /dev/kvm opens and the CPU offers VMX or SVM. */
static bool kvm_usable(void)
{
	struct cpuid_regs r;
	bool vmx, svm = false;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	vmx = cpuid_bit(&cpuid_live, 1, 0, 'c', 5);
	cpuid_read(&cpuid_live, 0x80000000, 0, &r);
	if (r.eax >= 0x80000001)
		svm = cpuid_bit(&cpuid_live, 0x80000001, 0, 'c', 2);
	return vmx || svm;
}

/*
 * -cpu max; under KVM less the features whose components the launch leaves out of XCR0.
 * TCG's CPU is QEMU's own emulation, which the host's features do not limit.
 */
static void cpu_model(const struct guest_launch *l, bool kvm, char *out, size_t size)
{
	static const struct {
		uint64_t mask;
		const char *flag;
	} masked[] = {
		{ XFEATURES_AVX512 & ~XFEATURES_AVX, ",-avx512f" },
		{ XFEATURE_MASK(XFEATURE_PKRU), ",-pku" },
		{ XFEATURES_AMX_TILES, ",-amx-tile" },
	};
	size_t n = (size_t)snprintf(out, size, "max");

	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]) && n < size; i++)
		if (kvm && l->xcr0 && (l->xcr0 & masked[i].mask) != masked[i].mask)
			n += (size_t)snprintf(out + n, size - n, "%s", masked[i].flag);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct capture {
	char *buf;
	size_t len, max;
	bool truncated, eof;
};

/* Reads what is there; keeps at most @max bytes (for stderr: the last ones). */
static int drain(int fd, struct capture *c, bool keep_tail)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : xb_fail_errno("read from QEMU");
	if (n == 0) {
		c->eof = true;
		return 0;
	}
	if (keep_tail && c->len + (size_t)n > c->max) {
		size_t drop = c->len + (size_t)n - c->max;

		if (drop > c->len)
			drop = c->len;
		memmove(c->buf, c->buf + drop, c->len - drop);
		c->len -= drop;
	}
	if (c->len + (size_t)n > c->max) {
		c->truncated = true;
		n = (ssize_t)(c->max - c->len);
	}
	memcpy(c->buf + c->len, chunk, (size_t)n);
	c->len += (size_t)n;
	return 0;
}

static void child_exec(const char *qemu, char **argv, int dbg_w, int err_w, int cpu)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(err_w, STDOUT_FILENO) < 0 ||
	    dup2(err_w, STDERR_FILENO) < 0 || dup2(dbg_w, DEBUGCON_FD) < 0)
		_exit(127);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			_exit(126);
	}
	execv(qemu, argv);
	_exit(127);
}

/* Waits for QEMU to close both pipes or for the watchdog; returns true when it ran out. */
static int collect(int dbg_r, int err_r, double timeout_s, struct capture *dbg, struct capture *err,
		   bool *timed_out)
{
	double deadline = now_s() + (timeout_s > 0 ? timeout_s : 60);

	*timed_out = false;
	while (!dbg->eof || !err->eof) {
		struct pollfd p[2] = { { dbg->eof ? -1 : dbg_r, POLLIN, 0 }, { err->eof ? -1 : err_r, POLLIN, 0 } };
		double left = deadline - now_s();
		int rc;

		if (left <= 0) {
			*timed_out = true;
			return 0;
		}
		rc = poll(p, 2, (int)ceil(left * 1000));
		if (rc < 0 && errno != EINTR)
			return xb_fail_errno("poll on QEMU's output");
		if (rc <= 0)
			continue;
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && drain(dbg_r, dbg, false))
			return -EIO;
		if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && drain(err_r, err, true))
			return -EIO;
	}
	return 0;
}

/* Fills the outcome from QEMU's exit. */
static void classify(int wstatus, bool timed_out, double timeout_s, const struct capture *dbg,
		     const char *err_tail, struct guest_outcome *out)
{
	if (timed_out) {
		out->end = GUEST_TIMEOUT;
		snprintf(out->detail, sizeof(out->detail), "watchdog: QEMU stopped after %.1f s", timeout_s);
	} else if (WIFEXITED(wstatus) && (WEXITSTATUS(wstatus) & 1) && (WEXITSTATUS(wstatus) > 1 || dbg->len)) {
		out->end = GUEST_EXITED;
		out->status = (uint32_t)WEXITSTATUS(wstatus) >> 1;
		snprintf(out->detail, sizeof(out->detail), "the guest wrote status %u to port 0x%x", out->status,
			 GUEST_EXIT_PORT);
	} else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
		out->end = GUEST_SHUTDOWN;
		snprintf(out->detail, sizeof(out->detail), "QEMU exited without a status: the guest shut down "
			 "or triple-faulted (-no-reboot)");
	} else {
		out->end = GUEST_VMM_ERROR;
		if (WIFEXITED(wstatus))
			snprintf(out->detail, sizeof(out->detail), "QEMU failed (exit %d): %s", WEXITSTATUS(wstatus),
				 err_tail[0] ? err_tail : "no message");
		else
			snprintf(out->detail, sizeof(out->detail), "QEMU killed by signal %d: %s", WTERMSIG(wstatus),
				 err_tail[0] ? err_tail : "no message");
	}
}

static int build_argv(const struct guest_launch *l, const char *qemu, bool kvm, char *mem, char *cpu,
		      char **argv)
{
	int n = 0;

	snprintf(mem, 16, "%u", l->mem_mib ? l->mem_mib : DEFAULT_MEM_MIB);
	cpu_model(l, kvm, cpu, 128);
	argv[n++] = (char *)qemu;
	argv[n++] = "-kernel";
	argv[n++] = (char *)l->payload;
	argv[n++] = "-append";
	argv[n++] = (char *)(l->cmdline ? l->cmdline : "");
	argv[n++] = "-debugcon";
	argv[n++] = "file:/dev/fd/3";
	argv[n++] = "-device";
	argv[n++] = "isa-debug-exit,iobase=0xf4,iosize=4";
	argv[n++] = "-accel";
	argv[n++] = kvm ? "kvm" : "tcg";
	argv[n++] = "-cpu";
	argv[n++] = cpu;
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-nographic";
	argv[n++] = "-serial";
	argv[n++] = "none";
	argv[n++] = "-monitor";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n] = NULL;
	return n;
}

static int qemu_run(const struct guest_launch *l, struct guest_outcome *out)
{
	struct capture dbg = { 0 }, err = { 0 };
	char qemu[512], mem[16], cpu[128], *argv[MAX_ARGS];
	int dbg_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
	bool kvm = kvm_usable(), timed_out = false;
	int rc = 0, wstatus = 0;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (!find_qemu(qemu, sizeof(qemu)))
		return xb_fail(ENOENT, "%s not found on $PATH (install Debian's qemu-system-x86)", QEMU_BINARY);
	if (access(l->payload, R_OK))
		return xb_fail_errno("guest payload %s", l->payload);
	build_argv(l, qemu, kvm, mem, cpu, argv);
	dbg.max = l->max_output ? l->max_output : 1 << 20;
	err.max = STDERR_TAIL;
	dbg.buf = malloc(dbg.max + 1);
	err.buf = malloc(err.max + 1);
	if (!dbg.buf || !err.buf) {
		rc = xb_fail(ENOMEM, "out of memory for the guest's output");
		goto out_free;
	}
	if (pipe2(dbg_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
		rc = xb_fail_errno("pipe2");
		goto out_close;
	}
	pid = fork();
	if (pid < 0) {
		rc = xb_fail_errno("fork");
		goto out_close;
	}
	if (pid == 0)
		child_exec(qemu, argv, dbg_pipe[1], err_pipe[1], l->cpu);
	close(dbg_pipe[1]);
	close(err_pipe[1]);
	dbg_pipe[1] = err_pipe[1] = -1;
	rc = collect(dbg_pipe[0], err_pipe[0], l->timeout_s, &dbg, &err, &timed_out);
	if (rc || timed_out)
		kill(pid, SIGKILL);
	if (waitpid(pid, &wstatus, 0) < 0 && !rc)
		rc = xb_fail_errno("waitpid on QEMU");
	if (rc)
		goto out_close;
	err.buf[err.len] = '\0';
	dbg.buf[dbg.len] = '\0';
	classify(wstatus, timed_out, l->timeout_s, &dbg, err.buf, out);
	out->output = dbg.buf;
	out->output_len = dbg.len;
	out->output_truncated = dbg.truncated;
	out->accelerated = kvm && !cpuid_under_tcg(&cpuid_live);
	snprintf(out->exit_counter_why, sizeof(out->exit_counter_why), "not available under QEMU: its vCPU's KVM "
		 "statistics (KVM_GET_STATS_FD) belong to QEMU, and this launcher serves no exit counter");
	dbg.buf = NULL;
out_close:
	for (int i = 0; i < 2; i++) {
		if (dbg_pipe[i] >= 0)
			close(dbg_pipe[i]);
		if (err_pipe[i] >= 0)
			close(err_pipe[i]);
	}
out_free:
	free(dbg.buf);
	free(err.buf);
	return rc;
}

const struct guest_launcher guest_launcher_qemu = {
	.name = "qemu",
	.available = qemu_available,
	.run = qemu_run,
	.uses_kvm = kvm_usable,
};
