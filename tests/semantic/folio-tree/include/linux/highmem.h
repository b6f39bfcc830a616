/* SPDX-License-Identifier: GPL-2.0-only */
/* A tree whose mapping API has the folio forms (a fixture, not kernel
 * source): the semantic patch finds this header above the file. */
struct folio;
void *kmap_local_folio(struct folio *folio, unsigned long offset);
void memcpy_from_folio(char *to, struct folio *folio, unsigned long offset,
		       unsigned long len);
void memcpy_to_folio(struct folio *folio, unsigned long offset,
		     const char *from, unsigned long len);
void folio_zero_range(struct folio *folio, unsigned long start,
		      unsigned long length);
