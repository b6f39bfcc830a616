/* SPDX-License-Identifier: GPL-2.0-only */
/* Beside the golden inputs: a call that hands its buffer to a host by
 * its linear address (overreach.c's write_through_host()). */
static inline int host_write(u32 handle, u8 *buf, u32 len)
{
	struct host_parms p;

	p.len = len;
	p.addr = (uintptr_t)buf;
	return host_call(handle, &p);
}
