/* SPDX-License-Identifier: GPL-2.0-only */
/* A tree whose mapping API has the folio form (a fixture, not kernel
 * source): the semantic patch finds this header above the file. */
struct folio;
void *kmap_local_folio(struct folio *folio, unsigned long offset);
