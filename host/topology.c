/*
 * topology.c - hwloc topology summary and thread pinning.
 */
#include "topology.h"

#include <errno.h>
#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

static uint64_t cache_size(hwloc_topology_t t, hwloc_obj_type_t type)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(t, type, 0);

	return o && o->attr ? o->attr->cache.size : 0;
}

void topology_probe(struct topology_info *out)
{
	hwloc_topology_t t;

	memset(out, 0, sizeof(*out));
	if (hwloc_topology_init(&t) || hwloc_topology_load(t)) {
		snprintf(out->error, sizeof(out->error), "hwloc_topology_load: %s", strerror(errno));
		return;
	}
	out->known = true;
	out->packages = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE);
	out->cores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
	out->pus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	out->numa_nodes = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
	out->l1d_bytes = cache_size(t, HWLOC_OBJ_L1CACHE);
	out->l2_bytes = cache_size(t, HWLOC_OBJ_L2CACHE);
	out->l3_bytes = cache_size(t, HWLOC_OBJ_L3CACHE);
	hwloc_topology_destroy(t);
}

static int ancestor_index(hwloc_topology_t t, hwloc_obj_t pu, hwloc_obj_type_t type)
{
	hwloc_obj_t o = hwloc_get_ancestor_obj_by_type(t, type, pu);

	return o ? (int)o->logical_index : -1;
}

int topology_pin_thread(int os_index, struct pin_result *out)
{
	hwloc_topology_t t;
	hwloc_obj_t pu;
	int rc = 0, n;

	if (hwloc_topology_init(&t) || hwloc_topology_load(t))
		return xb_fail_errno("hwloc_topology_load");
	n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
	pu = os_index < 0 ? hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, (unsigned)(n - 1))
			  : hwloc_get_pu_obj_by_os_index(t, (unsigned)os_index);
	if (!pu) {
		rc = xb_fail(EINVAL, "--cpu %d: no such processing unit (this machine has %d PUs)",
			     os_index, n);
	} else if (hwloc_set_cpubind(t, pu->cpuset, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT)) {
		rc = xb_fail_errno("hwloc_set_cpubind(PU %u)", pu->os_index);
	} else {
		out->os_index = (int)pu->os_index;
		out->core_index = ancestor_index(t, pu, HWLOC_OBJ_CORE);
		out->package_index = ancestor_index(t, pu, HWLOC_OBJ_PACKAGE);
		if (sched_getcpu() != out->os_index)
			rc = xb_fail(EAGAIN, "pinned to PU %d but running on CPU %d", out->os_index,
				     sched_getcpu());
	}
	hwloc_topology_destroy(t);
	return rc;
}

int topology_other_pu(int os_index, int *other)
{
	hwloc_topology_t t;
	hwloc_obj_t self, pu, best = NULL;
	int rc = 0;

	if (hwloc_topology_init(&t) || hwloc_topology_load(t))
		return xb_fail_errno("hwloc_topology_load");
	self = hwloc_get_pu_obj_by_os_index(t, (unsigned)os_index);
	for (pu = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_PU, NULL); self && pu;
	     pu = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_PU, pu)) {
		if (pu == self)
			continue;
		if (!best)
			best = pu; /* a sibling thread of the same core, unless another core follows */
		if (ancestor_index(t, pu, HWLOC_OBJ_CORE) != ancestor_index(t, self, HWLOC_OBJ_CORE)) {
			best = pu;
			break;
		}
	}
	if (!best)
		rc = xb_fail(ENODEV, "no processing unit other than %d (this machine has %d PUs)", os_index,
			     hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU));
	else
		*other = (int)best->os_index;
	hwloc_topology_destroy(t);
	return rc;
}
