// SPDX-License-Identifier: GPL-2.0-only
/*
 * Table of mapping interfaces.  Only the highmem API itself and generic
 * kernel facilities (error pointers, deferred work) are listed here:
 * wrappers around them are found by summarising their bodies.
 */
#include <string.h>

#include "api.h"

static const struct api apis[] = {
	{ "kmap_local_page", API_MAP, "kmap_local_page", 0 },
	{ "kmap_local_page_prot", API_MAP, "kmap_local_page_prot", 0 },
	{ "kmap_local_folio", API_MAP, "kmap_local_folio", 0 },
	{ "kmap_local_pfn", API_MAP, "kmap_local_pfn", 0 },
	{ "kmap_local_page_try_from_panic", API_MAP,
	  "kmap_local_page_try_from_panic", 0 },
	{ "__kmap_local_page_prot", API_MAP, "kmap_local_page_prot", 0 },
	{ "__kmap_local_pfn_prot", API_MAP, "kmap_local_pfn", 0 },
	{ "kmap_atomic", API_MAP, "kmap_atomic", 0 },
	{ "kmap_atomic_prot", API_MAP, "kmap_atomic_prot", 0 },
	{ "kmap_atomic_pfn", API_MAP, "kmap_atomic_pfn", 0 },
	{ "kunmap_local", API_UNMAP, "kunmap_local", 0 },
	{ "__kunmap_local", API_UNMAP, "kunmap_local", 0 },
	{ "kunmap_atomic", API_UNMAP, "kunmap_atomic", 0 },
	{ "__kunmap_atomic", API_UNMAP, "kunmap_atomic", 0 },
	{ "kmap", API_KMAP, "kmap", 0 },
	{ "kunmap", API_KUNMAP, "kunmap", 0 },
	{ "IS_ERR", API_IS_ERR, "IS_ERR", 0 },
	{ "IS_ERR_OR_NULL", API_IS_ERR, "IS_ERR_OR_NULL", 0 },
	{ "ERR_PTR", API_ERR_PTR, "ERR_PTR", 0 },
	{ "ERR_CAST", API_ERR_PTR, "ERR_CAST", 0 },
	{ "page_address", API_NOT_MAPPING, "page_address", 0 },
	{ "lowmem_page_address", API_NOT_MAPPING, "lowmem_page_address", 0 },
	{ "folio_address", API_NOT_MAPPING, "folio_address", 0 },
	{ "queue_work_on", API_DEFER, "queue_work_on", 0 },
	{ "queue_work", API_DEFER, "queue_work", 0 },
	{ "queue_delayed_work_on", API_DEFER, "queue_delayed_work_on", 0 },
	{ "queue_delayed_work", API_DEFER, "queue_delayed_work", 0 },
	{ "mod_delayed_work_on", API_DEFER, "mod_delayed_work_on", 0 },
	{ "mod_delayed_work", API_DEFER, "mod_delayed_work", 0 },
	{ "schedule_work", API_DEFER, "schedule_work", 0 },
	{ "schedule_delayed_work", API_DEFER, "schedule_delayed_work", 0 },
	{ "queue_rcu_work", API_DEFER, "queue_rcu_work", 0 },
	{ "call_rcu", API_DEFER, "call_rcu", 0 },
	{ "call_rcu_hurry", API_DEFER, "call_rcu_hurry", 0 },
	{ "kthread_create_on_node", API_DEFER, "kthread_create_on_node", 0 },
	{ "kthread_create_on_cpu", API_DEFER, "kthread_create_on_cpu", 0 },
	{ "kthread_queue_work", API_DEFER, "kthread_queue_work", 0 },
	{ "tasklet_schedule", API_DEFER, "tasklet_schedule", 0 },
	{ "tasklet_hi_schedule", API_DEFER, "tasklet_hi_schedule", 0 },
	{ "add_timer", API_DEFER, "add_timer", 0 },
	{ "mod_timer", API_DEFER, "mod_timer", 0 },
	{ "irq_work_queue", API_DEFER, "irq_work_queue", 0 },
	{ "irq_work_queue_on", API_DEFER, "irq_work_queue_on", 0 },
};

const struct api *api_lookup(const char *name)
{
	size_t i;

	if (!name || !*name)
		return NULL;
	for (i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
		if (!strcmp(apis[i].name, name))
			return &apis[i];
	return NULL;
}
