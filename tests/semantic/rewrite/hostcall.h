/* SPDX-License-Identifier: GPL-2.0-only */
/* Beside the golden inputs.  A call that hands its buffer to a host by
 * its linear address (overreach.c's write_through_host()). */
static inline int host_write(u32 handle, u8 *buf, u32 len)
{
	struct host_parms p;

	p.len = len;
	p.addr = (uintptr_t)buf;
	return host_call(handle, &p);
}

/* A call that puts its buffer in a kvec for an operation of the
 * connection's (overreach.c's send_through_kvec()). */
static inline int conn_send(struct conn *c, const char *data, u32 len)
{
	struct kvec iov = { .iov_base = (char *)data, .iov_len = len };

	return c->ops->send(c, &iov, 1);
}
