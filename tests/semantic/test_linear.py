# SPDX-License-Identifier: GPL-2.0-only
"""Finding the functions that need a parameter in the linear map: a cast
to uintptr_t (a number someone else translates), a call that turns the
address back into its page, or a kvec whose consumer may (semantic-patches/kmap_local/linear.py)."""

from kmap_local import linear

HOST = """
/* A hypervisor call takes the buffer by its linear address. */
int host_write(u32 handle, u64 offset, u8 *buf, u32 len)
{
	struct parms p;

	p.len = len;
	p.addr = (uintptr_t)buf;
	return host_call(&p);
}

static void fill_sg(struct scatterlist *sg, void *data, size_t n)
{
	sg_set_buf(sg, data + 16, n);
}

static int only_bytes(const void *data, unsigned long n, struct x *x)
{
	unsigned long len = (uintptr_t)n;

	memcpy(x->buf, data, len);
	return virt_to_page(x->other) != NULL;
}
"""


def test_what_needs_a_linear_map_address():
    found = linear.linear_parameters(HOST)
    assert found == {"host_write": {2: "(uintptr_t)buf"},
                     "fill_sg": {1: "sg_set_buf(sg, data + 16, n);"}}


KVEC = """
/* The buffer goes into a kvec for an operation the caller cannot see:
 * its consumer may take the pages back (MSG_SPLICE_PAGES, encryption). */
static int send_data(struct conn *c, const char *data, unsigned int len)
{
	struct kvec iov[2];

	iov[1].iov_base = (char *)data + c->sent;
	iov[1].iov_len = len;
	return c->ops->sync_write(c, iov, 2);
}

static int recv_into(struct socket *s, void *buf, size_t size)
{
	struct kvec iov = {
		.iov_base = buf,
		.iov_len = size,
	};

	return kernel_recv(s, &iov, size);
}

static int length_only(struct socket *s, void *buf, size_t size)
{
	struct kvec iov = { .iov_base = s->scratch, .iov_len = size };

	memcpy(s->scratch, buf, size);
	return kernel_recv(s, &iov, size);
}
"""


def test_a_buffer_put_in_a_kvec_needs_a_linear_map_address():
    found = linear.linear_parameters(KVEC)
    assert found == {
        "send_data": {1: "iov_base = (char *)data + c->sent"},
        "recv_into": {1: "iov_base = buf"}}


def test_a_page_read_through_page_address_is_a_need_of_its_own():
    found = linear.linear_parameters("""
static bool check_page(struct page *page, unsigned int limit)
{
	char *kaddr = page_address(page);

	return kaddr[limit - 1] == 0;
}
""")
    assert found == {"check_page": {0: "page_address(page)"}}
    assert linear.kinds(found["check_page"]) == {0: linear.PAGE}
    assert linear.of_env(linear.env_value({"fs/x": found})) == {
        ("fs/x", "check_page"): {0: "page"}}


def test_a_file_without_the_evidence_is_not_read_further():
    assert linear.linear_parameters("int f(void *p)\n{\n\treturn 0;\n}\n") \
        == {}


def test_the_env_value_round_trips(tmp_path):
    (tmp_path / "host.c").write_text(HOST)
    (tmp_path / "other.h").write_text("static inline int g(void) "
                                      "{ return 0; }\n")
    found = linear.directory_linear(str(tmp_path))
    value = linear.env_value({"drivers/x": found})
    assert value == "drivers/x/fill_sg:1:linear,drivers/x/host_write:2:linear"
    assert linear.of_env(value) == {("drivers/x", "fill_sg"): {1: "linear"},
                                    ("drivers/x", "host_write"): {2: "linear"}}
    assert linear.of_env("") == {}
    kvec = linear.env_value({"fs/x": linear.linear_parameters(KVEC)})
    assert kvec == "fs/x/recv_into:1:kvec,fs/x/send_data:1:kvec"
    assert linear.of_env(kvec)[("fs/x", "send_data")] == {1: "kvec"}
    # An entry of an older or unknown form is not taken for a need.
    assert linear.of_env("fs/x/f:1,fs/x/g:2:other") == {}
    # Asked about some functions only: the others are not reported.
    assert linear.directory_linear(str(tmp_path), {"host_write"}) == {
        "host_write": {2: "(uintptr_t)buf"}}
    assert linear.directory_linear(str(tmp_path), {"nowhere"}) == {}
