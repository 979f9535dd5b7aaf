/*
 * vcpu_stats.c - reading a vCPU's binary statistics.
 */
#include "vcpu_stats.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Names are NUL-padded to the header's name_size (48 in Linux 6.1); a larger one is refused. */
#define STATS_NAME_MAX 256

const char *const vcpu_stats_reason_names[VCPU_STATS_REASONS] = {
	"io_exits", "mmio_exits", "irq_exits", "halt_exits", "irq_window_exits", "nmi_window_exits",
};

static int read_at(int fd, void *buf, size_t size, int64_t offset, const char *what)
{
	ssize_t n = pread(fd, buf, size, offset);

	if (n < 0)
		return xb_fail_errno("pread of the vCPU statistics' %s", what);
	if ((size_t)n != size)
		return xb_fail(EIO, "the vCPU statistics' %s: %zd of %zu bytes at offset %lld", what, n, size,
			       (long long)offset);
	return 0;
}

/* A one-value counter's file offset, or -1 when it is not one. */
static int64_t counter_at(const struct kvm_stats_header *h, const struct kvm_stats_desc *d)
{
	bool cumulative = (d->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE;

	return cumulative && d->size == 1 ? (int64_t)h->data_offset + d->offset : -1;
}

static int find_counters(struct vcpu_stats *s, const struct kvm_stats_header *h)
{
	size_t each = sizeof(struct kvm_stats_desc) + h->name_size;
	uint8_t *descs = malloc(each * h->num_desc);
	int rc;

	if (!descs)
		return xb_fail(ENOMEM, "out of memory for %u statistics descriptors", h->num_desc);
	rc = read_at(s->fd, descs, each * h->num_desc, h->desc_offset, "descriptors");
	for (uint32_t i = 0; !rc && i < h->num_desc; i++) {
		const struct kvm_stats_desc *d = (const void *)(descs + i * each);
		char name[STATS_NAME_MAX + 1];

		snprintf(name, sizeof(name), "%.*s", (int)h->name_size, d->name);
		if (!strcmp(name, "exits"))
			s->exits_at = counter_at(h, d);
		for (int r = 0; r < VCPU_STATS_REASONS; r++)
			if (!strcmp(name, vcpu_stats_reason_names[r]))
				s->reason_at[r] = counter_at(h, d);
	}
	free(descs);
	if (!rc && s->exits_at < 0)
		rc = xb_fail(ENOENT, "KVM's vCPU statistics have no cumulative 'exits' counter");
	return rc;
}

int vcpu_stats_open(int vcpu_fd, struct vcpu_stats *s)
{
	struct kvm_stats_header h;
	int rc;

	s->exits_at = -1;
	for (int r = 0; r < VCPU_STATS_REASONS; r++)
		s->reason_at[r] = -1;
	s->fd = ioctl(vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (s->fd < 0)
		return xb_fail_errno("KVM_GET_STATS_FD on the vCPU");
	rc = read_at(s->fd, &h, sizeof(h), 0, "header");
	if (!rc && (h.name_size == 0 || h.name_size > STATS_NAME_MAX))
		rc = xb_fail(EPROTO, "the vCPU statistics' header gives names of %u bytes", h.name_size);
	if (!rc)
		rc = find_counters(s, &h);
	if (rc)
		vcpu_stats_close(s);
	return rc;
}

void vcpu_stats_close(struct vcpu_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

int vcpu_stats_read(const struct vcpu_stats *s, uint64_t *exits, uint64_t *with_reason)
{
	int rc = read_at(s->fd, exits, sizeof(*exits), s->exits_at, "exits");

	*with_reason = 0;
	for (int r = 0; !rc && r < VCPU_STATS_REASONS; r++) {
		uint64_t v;

		if (s->reason_at[r] < 0)
			continue;
		rc = read_at(s->fd, &v, sizeof(v), s->reason_at[r], vcpu_stats_reason_names[r]);
		*with_reason += v;
	}
	return rc;
}
