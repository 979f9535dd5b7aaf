/*
 * watchdog.h - stops a vCPU that runs too long: a POSIX timer sends a signal to the vCPU's
 * thread, whose handler sets the run structure's immediate_exit, so KVM_RUN returns EINTR
 * whether the signal lands inside KVM_RUN or just before it.
 */
#ifndef XB_HOST_KVM_WATCHDOG_H
#define XB_HOST_KVM_WATCHDOG_H

#include <stdbool.h>
#include <time.h>

#include "vm.h"

struct watchdog {
	timer_t timer;
	bool armed;
};

/* Arms a one-shot timer of @seconds against the calling thread, which runs @run's vCPU. */
int watchdog_arm(struct watchdog *w, struct kvm_run *run, double seconds) XB_MUST_CHECK;
/* Whether it has fired since it was armed. */
bool watchdog_fired(void);
void watchdog_disarm(struct watchdog *w);

#endif
