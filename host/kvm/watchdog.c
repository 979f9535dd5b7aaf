/*
 * watchdog.c - the vCPU watchdog timer and its signal.
 */
#include "watchdog.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static __thread struct kvm_run *volatile watched_run;
static __thread volatile sig_atomic_t fired;

static void on_watchdog(int sig)
{
	(void)sig;
	fired = 1;
	if (watched_run)
		watched_run->immediate_exit = 1;
}

int watchdog_arm(struct watchdog *w, struct kvm_run *run, double seconds)
{
	struct sigaction sa;
	struct sigevent ev;
	struct itimerspec its;
	sigset_t set;

	memset(w, 0, sizeof(*w));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog; /* no SA_RESTART: KVM_RUN must return EINTR */
	if (sigaction(SIGRTMIN, &sa, NULL))
		return xb_fail_errno("sigaction(SIGRTMIN)");
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	watched_run = run;
	fired = 0;
	run->immediate_exit = 0;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN;
	ev._sigev_un._tid = gettid(); /* sigev_notify_thread_id: glibc 2.36 lacks the name */
	if (timer_create(CLOCK_MONOTONIC, &ev, &w->timer))
		return xb_fail_errno("timer_create(CLOCK_MONOTONIC, SIGEV_THREAD_ID)");
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)seconds;
	its.it_value.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	if (timer_settime(w->timer, 0, &its, NULL)) {
		int rc = xb_fail_errno("timer_settime");

		timer_delete(w->timer);
		return rc;
	}
	w->armed = true;
	return 0;
}

bool watchdog_fired(void)
{
	return fired;
}

void watchdog_disarm(struct watchdog *w)
{
	if (w->armed)
		timer_delete(w->timer);
	w->armed = false;
	watched_run = NULL;
}
