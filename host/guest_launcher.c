/*
 * guest_launcher.c - the table of launchers and what they share: finding one by name, the
 * names of the ways a guest ends, freeing an outcome.
 */
#include "guest_launcher.h"

#include <stdlib.h>
#include <string.h>

#include "kvm/launcher.h"
#include "qemu/qemu_launcher.h"

const struct guest_launcher *const guest_launchers[] = {
	&kvm_launcher,
	&guest_launcher_qemu,
	NULL,
};

const char *const guest_launcher_names[] = {
	GUEST_LAUNCHER_KVM,
	GUEST_LAUNCHER_QEMU,
	NULL,
};
_Static_assert(sizeof(guest_launchers) / sizeof(guest_launchers[0]) ==
		       sizeof(guest_launcher_names) / sizeof(guest_launcher_names[0]),
	       "a name for every launcher");

bool guest_launcher_always_kvm(void)
{
	return true;
}

const struct guest_launcher *guest_launcher_find(const char *name)
{
	for (int i = 0; guest_launchers[i]; i++)
		if (!strcmp(guest_launchers[i]->name, name))
			return guest_launchers[i];
	return NULL;
}

const char *guest_end_name(enum guest_end end)
{
	switch (end) {
	case GUEST_EXITED:
		return "exited";
	case GUEST_SHUTDOWN:
		return "shutdown";
	case GUEST_TIMEOUT:
		return "timeout";
	case GUEST_INTERNAL_ERROR:
		return "internal-error";
	case GUEST_VMM_ERROR:
		return "vmm-error";
	}
	return "unknown";
}

void guest_outcome_free(struct guest_outcome *out)
{
	free(out->output);
	out->output = NULL;
	out->output_len = 0;
}
