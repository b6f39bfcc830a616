/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points of mm/kmap_local_core.c that its port calls. Included after
 * the port header, which defines pgprot_t and struct task_struct.
 */
#ifndef _MM_KMAP_LOCAL_CORE_H
#define _MM_KMAP_LOCAL_CORE_H

void *kmap_local_map_pfn_at(unsigned long pfn, pgprot_t prot,
			    unsigned long site);
void kmap_local_unmap_at(unsigned long vaddr, unsigned long site);
bool kmap_local_pfn_protected(unsigned long pfn);
void __kmap_local_sched_out(void);
void __kmap_local_sched_in(void);
void kmap_local_fork(struct task_struct *tsk);

#endif /* _MM_KMAP_LOCAL_CORE_H */
