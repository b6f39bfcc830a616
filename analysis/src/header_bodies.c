// SPDX-License-Identifier: GPL-2.0-only
/*
 * Header function bodies the audit cannot reach, left out of the parse.
 *
 * About half of a kernel file's parse goes to the bodies of the inline
 * functions of the headers it includes, and the audit reads almost none of
 * them: only the body of a function that the file's functions call,
 * directly or through other functions and macros, to summarise a callee
 * that maps, unmaps or is lent a mapping (summary.c).  C needs no body
 * to check a call, so a body that nothing in the file can reach is given
 * to clang as a declaration: "{ ... }" becomes ";", with the body's line
 * breaks kept so that every location stays where it was.
 *
 * Before the parse, the file and every header it may include are read as
 * text: #include directives are resolved along the compiler's search path
 * whatever #if surrounds them (a superset of what the preprocessor will
 * read), with the macros each file defines and the inline functions each
 * header defines.  Names are then followed from every identifier of the
 * compiled file (and of any other non-header file it includes): into the
 * replacement list of a macro of that name and into the body of an inline
 * function of that name; a macro that pastes tokens (##) reaches every
 * function and macro whose name contains a pasted fragment.  The bodies
 * never reached are left out of in-memory copies that clang reads instead
 * of the headers (unsaved files; clang still opens the same paths).
 *
 * Where the text is unclear nothing is left out: a body holding a
 * preprocessor directive, a head that is not "... name(...) {" with an
 * inline keyword.  What text cannot show (a macro of a header included
 * under a computed name) is caught after the parse: audit.c parses again
 * with every body when the parse has an error or when the audit asks for
 * the body of a function left out (header_bodies_skipped()).
 */
#define _GNU_SOURCE /* memmem() */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header_bodies.h"

/* A macro's replacement, or a header inline function's body. */
struct def {
	int file;
	unsigned b, e; /* the span: replacement, or body "{" to "}" */
	unsigned pb, pe; /* a function-like macro's parameter list */
	unsigned char macro;
	unsigned char strippable; /* a body without a directive inside */
	unsigned char reached; /* how it was followed (REACH_*), or 0 */
	int link_b, link_e; /* a body's names, in links[] */
};

/* One name of a def: a macro's, or a function's (a head may have several
 * candidates, "__printf(1, 2) name(...)": all count). */
struct link {
	int def;
	int name;
	int next;
	/* A function-like macro among a head's other candidates: an
	 * attribute ("__printf(1, 2)") or a macro invoked at file scope,
	 * not the function's name. */
	unsigned char invocation;
};

struct file {
	char *path; /* as the compiler opens it */
	char *dir; /* for "..." includes */
	char *text;
	unsigned len;
	unsigned char header; /* .h: its inline bodies may be left out */
	int def_b, def_e; /* its defs, in the order of the text */
};

struct plan {
	struct file *files;
	int nfiles, capfiles;
	struct strtab ids; /* "dev:ino" -> file */
	int *id_file;
	int capid;
	/* Search path: "..." only, then both kinds. */
	const char **quote_dirs, **dirs;
	int nquote, ndirs;
	struct strtab resolved; /* includes already looked for */
	struct def *defs;
	int ndefs, capdefs;
	struct link *links;
	int nlinks, caplinks;
	struct strtab names;
	int *first_link; /* per name */
	unsigned char *reached; /* per name */
	unsigned char *has_macro; /* per name */
	int capnames;
	int *work;
	int nwork, capwork;
	struct strtab fragments; /* pasted by reached macros */
};

static int is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int span_is(const char *s, unsigned b, unsigned e, const char *word)
{
	size_t n = strlen(word);

	return e - b == n && !memcmp(s + b, word, n);
}

static int is_inline_keyword(const char *s, unsigned b, unsigned e)
{
	return span_is(s, b, e, "inline") || span_is(s, b, e, "__inline") ||
	       span_is(s, b, e, "__inline__") ||
	       span_is(s, b, e, "__always_inline");
}

/* Words before "(" that do not name the function declared. */
static int is_attribute_keyword(const char *s, unsigned b, unsigned e)
{
	return span_is(s, b, e, "__attribute__") ||
	       span_is(s, b, e, "__attribute") || span_is(s, b, e, "typeof") ||
	       span_is(s, b, e, "__typeof__") || span_is(s, b, e, "__typeof");
}

static int name_id(struct plan *p, const char *s, unsigned b, unsigned e)
{
	char buf[256];
	int id, cap = p->capnames;

	if (e - b >= sizeof(buf))
		e = b + sizeof(buf) - 1;
	memcpy(buf, s + b, e - b);
	buf[e - b] = 0;
	id = strtab_intern(&p->names, buf);
	if (id >= cap) {
		grow((void **)&p->first_link, &p->capnames, id, sizeof(int));
		p->reached = xrealloc(p->reached, p->capnames);
		memset(p->reached + cap, 0, p->capnames - cap);
		p->has_macro = xrealloc(p->has_macro, p->capnames);
		memset(p->has_macro + cap, 0, p->capnames - cap);
		memset(p->first_link + cap, 0xff,
		       (p->capnames - cap) * sizeof(int));
	}
	return id;
}

static void add_link(struct plan *p, int name, int def)
{
	grow((void **)&p->links, &p->caplinks, p->nlinks, sizeof(*p->links));
	p->links[p->nlinks].def = def;
	p->links[p->nlinks].name = name;
	p->links[p->nlinks].invocation = 0;
	p->links[p->nlinks].next = p->first_link[name];
	p->first_link[name] = p->nlinks++;
}

static int add_def(struct plan *p, int file, unsigned b, unsigned e, int macro)
{
	struct def *d;

	grow((void **)&p->defs, &p->capdefs, p->ndefs, sizeof(*p->defs));
	d = &p->defs[p->ndefs];
	d->file = file;
	d->b = b;
	d->e = e;
	d->macro = (unsigned char)macro;
	return p->ndefs++;
}

/*
 * How a name is reached: by the code that defines functions at file scope
 * (a macro invoked there), or by the code of functions, the file's and
 * those it calls.  Names that macros paste together matter for the
 * latter only: a call to "const ## op" must find const_test_bit(), while
 * what "ATOMIC64_DECL(read)" pastes are the names it declares.
 */
enum { REACH_DEFINES = 1, REACH_CALLS = 2 };

static void reach(struct plan *p, int name, int how)
{
	if (p->reached[name] >= how)
		return;
	p->reached[name] = (unsigned char)how;
	grow((void **)&p->work, &p->capwork, p->nwork, sizeof(int));
	p->work[p->nwork++] = name;
}

/* Skips a comment or a literal starting at i; returns where it ends, or
 * i when there is none. */
static unsigned skip_comment_or_literal(const char *s, unsigned n, unsigned i)
{
	char q;

	if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
		const char *end = NULL;

		if (i + 2 < n)
			end = memmem(s + i + 2, n - i - 2, "*/", 2);
		return end ? (unsigned)(end - s) + 2 : n;
	}
	if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
		for (i += 2; i < n && s[i] != '\n'; i++)
			if (s[i] == '\\' && i + 1 < n)
				i++;
		return i;
	}
	if (s[i] != '"' && s[i] != '\'')
		return i;
	q = s[i];
	for (i++; i < n && s[i] != q && s[i] != '\n'; i++)
		if (s[i] == '\\' && i + 1 < n)
			i++;
	/* An apostrophe in #error text or under #if 0 ends at the line. */
	return i < n && s[i] == q ? i + 1 : i;
}

static void read_file(struct plan *p, const char *path, int header);

static char *file_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? xasprintf("%.*s", (int)(slash - path), path) :
		       xstrdup(".");
}

static int try_open(struct plan *p, const char *path, int header)
{
	int before = p->nfiles;
	struct stat st;
	char key[64];
	int id;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return -2;
	snprintf(key, sizeof(key), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	id = strtab_intern(&p->ids, key);
	if (id >= p->capid) {
		int cap = p->capid;

		grow((void **)&p->id_file, &p->capid, id, sizeof(int));
		memset(p->id_file + cap, 0xff, (p->capid - cap) * sizeof(int));
	}
	if (p->id_file[id] < 0) {
		read_file(p, path, header);
		if (p->nfiles == before)
			return -1;
		p->id_file[id] = before;
	}
	return p->id_file[id];
}

static int ends_with_h(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && !strcmp(name + n - 2, ".h");
}

/* An #include of name from file: resolved as the compiler would, the
 * first match along the search path ("..." first in the includer's own
 * directory), and read once. */
static void include(struct plan *p, int from, const char *name, int quoted)
{
	char *key = xasprintf("%c%s%s%s", quoted ? 'q' : 'a',
			      quoted ? p->files[from].dir : "",
			      quoted ? "\n" : "", name);
	int n = p->resolved.n, header = ends_with_h(name), got = -2, i;
	char *path;

	strtab_intern(&p->resolved, key);
	free(key);
	if (p->resolved.n == n)
		return;
	if (name[0] == '/') {
		got = try_open(p, name, header);
	} else {
		if (quoted) {
			path = xasprintf("%s/%s", p->files[from].dir, name);
			got = try_open(p, path, header);
			free(path);
		}
		for (i = 0; quoted && got == -2 && i < p->nquote; i++) {
			path = xasprintf("%s/%s", p->quote_dirs[i], name);
			got = try_open(p, path, header);
			free(path);
		}
		for (i = 0; got == -2 && i < p->ndirs; i++) {
			path = xasprintf("%s/%s", p->dirs[i], name);
			got = try_open(p, path, header);
			free(path);
		}
	}
}

/* A preprocessor directive starting at i ('#'); returns its end. */
static unsigned directive(struct plan *p, int fi, unsigned i)
{
	const char *s = p->files[fi].text;
	unsigned n = p->files[fi].len, b, e, end, pb = 0, pe = 0;
	char name[512];

	/* Its end: the line break not escaped, outside comments. */
	for (end = i + 1; end < n && s[end] != '\n';) {
		unsigned j = skip_comment_or_literal(s, n, end);

		if (j != end) {
			end = j;
			continue;
		}
		if (s[end] == '\\' && end + 1 < n)
			end++;
		end++;
	}
	for (i++; i < end && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	for (b = i; i < end && is_ident(s[i]); i++)
		;
	e = i;
	for (; i < end && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (span_is(s, b, e, "include") || span_is(s, b, e, "include_next") ||
	    span_is(s, b, e, "import")) {
		char close = s[i] == '"' ? '"' : s[i] == '<' ? '>' : 0;
		unsigned j;

		if (!close)
			return end; /* a computed name */
		for (j = i + 1; j < end && s[j] != close; j++)
			;
		if (j < end && j - i - 1 < sizeof(name)) {
			memcpy(name, s + i + 1, j - i - 1);
			name[j - i - 1] = 0;
			include(p, fi, name, close == '"');
		}
		return end;
	}
	if (!span_is(s, b, e, "define"))
		return end;
	for (b = i; i < end && is_ident(s[i]); i++)
		;
	e = i;
	if (e == b)
		return end;
	if (i < end && s[i] == '(') {
		pb = i + 1;
		while (i < end && s[i] != ')')
			i++;
		pe = i;
		if (i < end)
			i++;
	}
	{
		int d = add_def(p, fi, i, end, 1), name = name_id(p, s, b, e);

		p->defs[d].pb = pb;
		p->defs[d].pe = pe;
		add_link(p, name, d);
		p->has_macro[name] = 1;
	}
	return end;
}

/* The declaration being read at brace depth 0 of a header. */
struct head {
	int inl, assign, paren, prev_ident;
	unsigned prev_b, prev_e;
	char last;
	int cand[8], ncand; /* names followed by "(" */
	unsigned *args; /* identifiers inside its parentheses, offset pairs */
	int nargs, capargs;
};

/* Ends the declaration.  Unless it was an inline function's head, the
 * names it follows by "(" and those inside its parentheses are reached:
 * a macro invoked at file scope may define functions (TRACE_EVENT()
 * does), with macros passed as arguments ("PAGEFLAG(Uptodate, uptodate,
 * PF_NO_TAIL)"); a prototype may have an inline twin under another #if. */
static void head_end(struct plan *p, const char *s, struct head *h,
		     int reached)
{
	int k;

	for (k = 0; reached && k < h->ncand; k++)
		reach(p, h->cand[k], REACH_DEFINES);
	for (k = 0; reached && k < h->nargs; k += 2)
		reach(p, name_id(p, s, h->args[k], h->args[k + 1]),
		      REACH_DEFINES);
	h->inl = h->assign = h->paren = h->prev_ident = h->ncand = 0;
	h->nargs = 0;
	h->last = 0;
}

/*
 * Reads a file: its directives (includes are read later, breadth first)
 * and, in a header, the bodies of its inline functions.  Every
 * identifier of a non-header file is a name reached, and in a header
 * those inside braces that are no function's (initialisers) and those
 * head_end() reaches.
 */
static void scan(struct plan *p, int fi)
{
	const char *s = p->files[fi].text;
	unsigned n = p->files[fi].len, i = 0, body = 0, b;
	int header = p->files[fi].header, bol = 1, brace = 0;
	int in_body = 0, body_ok = 0, k;
	struct head h = { 0 };

	while (i < n) {
		char c = s[i];
		unsigned j;

		if (c == '\n') {
			bol = 1;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			i++;
			continue;
		}
		if (c == '\\' && i + 1 < n && s[i + 1] == '\n') {
			i += 2;
			continue;
		}
		if (bol && c == '#') {
			i = directive(p, fi, i);
			if (in_body)
				body_ok = 0;
			else if (!brace)
				head_end(p, s, &h, 1);
			continue;
		}
		bol = 0;
		j = skip_comment_or_literal(s, n, i);
		if (j != i) {
			if (s[i] == '"' || s[i] == '\'')
				h.last = 'L', h.prev_ident = 0;
			i = j;
			continue;
		}
		if (is_ident_start(c)) {
			for (b = i; i < n && is_ident(s[i]); i++)
				;
			if (!header || (brace && !in_body)) {
				reach(p, name_id(p, s, b, i),
				      header ? REACH_DEFINES : REACH_CALLS);
			} else if (!brace) {
				if (is_inline_keyword(s, b, i))
					h.inl = 1;
				h.prev_ident = 1;
				h.prev_b = b;
				h.prev_e = i;
				h.last = 'i';
				if (h.paren) {
					if (h.nargs + 2 > h.capargs)
						grow((void **)&h.args,
						     &h.capargs, h.nargs + 1,
						     sizeof(unsigned));
					h.args[h.nargs++] = b;
					h.args[h.nargs++] = i;
				}
			}
			continue;
		}
		if (c >= '0' && c <= '9') {
			while (i < n && (is_ident(s[i]) || s[i] == '.'))
				i++;
			h.last = '0';
			h.prev_ident = 0;
			continue;
		}
		i++;
		if (brace) {
			if (c == '{') {
				brace++;
			} else if (c == '}' && --brace == 0) {
				if (in_body) {
					int d = add_def(p, fi, body, i, 0);

					p->defs[d].strippable =
						(unsigned char)body_ok;
					p->defs[d].link_b = p->nlinks;
					for (k = 0; k < h.ncand; k++)
						add_link(p, h.cand[k], d);
					p->defs[d].link_e = p->nlinks;
				}
				in_body = 0;
				head_end(p, s, &h, 0);
			}
			continue;
		}
		switch (c) {
		case '(':
			if (!h.paren && h.prev_ident && header &&
			    !is_attribute_keyword(s, h.prev_b, h.prev_e)) {
				int name = name_id(p, s, h.prev_b, h.prev_e);

				/* So many are invocations, not a head. */
				if (h.ncand < 8)
					h.cand[h.ncand++] = name;
				else
					reach(p, name, REACH_DEFINES);
			}
			h.paren++;
			break;
		case ')':
			if (h.paren)
				h.paren--;
			break;
		case ';':
			if (!h.paren)
				head_end(p, s, &h, 1);
			break;
		case '=':
			if (!h.paren)
				h.assign = 1;
			break;
		case '{':
			in_body = header && !h.paren && h.last == ')' &&
				  h.inl && h.ncand && !h.assign;
			if (!in_body)
				head_end(p, s, &h, 1);
			body = i - 1;
			body_ok = 1;
			brace = 1;
			continue;
		}
		h.last = c;
		h.prev_ident = 0;
	}
	head_end(p, s, &h, 1);
	free(h.args);
}

static void read_file(struct plan *p, const char *path, int header)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct file *f;
	char *text;
	ssize_t got = 0, r;

	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_size > (1 << 26)) {
		close(fd);
		return;
	}
	text = xmalloc(st.st_size + 1);
	while (got < st.st_size &&
	       (r = read(fd, text + got, st.st_size - got)) > 0)
		got += r;
	close(fd);
	text[got] = 0;
	grow((void **)&p->files, &p->capfiles, p->nfiles, sizeof(*p->files));
	f = &p->files[p->nfiles++];
	f->path = xstrdup(path);
	f->dir = file_dir(path);
	f->text = text;
	f->len = (unsigned)got;
	f->header = (unsigned char)header;
}

/* The search path of the compiler arguments. */
static void search_path(struct plan *p, const char *const *args, int nargs,
			const char ***forced, int *nforced)
{
	const char **later = xmalloc(sizeof(char *) * (nargs + 1));
	int i, nlater = 0;

	p->quote_dirs = xmalloc(sizeof(char *) * (nargs + 1));
	p->dirs = xmalloc(sizeof(char *) * (nargs + 1));
	*forced = xmalloc(sizeof(char *) * (nargs + 1));
	*nforced = 0;
	for (i = 0; i < nargs; i++) {
		const char *a = args[i], *v = NULL;
		int kind =
			0; /* 1 -I, 2 -iquote, 3 -isystem, 4 -idirafter, 5 -include */
		static const struct {
			const char *flag;
			int kind;
		} flags[] = { { "-I", 1 },
			      { "-iquote", 2 },
			      { "-isystem", 3 },
			      { "-idirafter", 4 },
			      { "-include", 5 } };
		unsigned f;

		for (f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
			size_t l = strlen(flags[f].flag);

			if (!strncmp(a, flags[f].flag, l)) {
				kind = flags[f].kind;
				v = a[l] ? a + l :
					   (i + 1 < nargs ? args[++i] : NULL);
				break;
			}
		}
		if (!kind || !v)
			continue;
		if (kind == 2)
			p->quote_dirs[p->nquote++] = v;
		else if (kind == 4)
			later[nlater++] = v;
		else if (kind == 5)
			(*forced)[(*nforced)++] = v;
		else
			p->dirs[p->ndirs++] = v;
	}
	for (i = 0; i < nlater; i++)
		p->dirs[p->ndirs++] = later[i];
	free(later);
}

/* Where a pasted fragment sits in the names it makes: at their start
 * ("trace_ ## name"), at their end, or inside. */
#define FRAGMENT_START '<'
#define FRAGMENT_END '>'
#define FRAGMENT_INSIDE '='

/* A fragment pasted by macro d: names with it in its place are reached.
 * A parameter of the macro is replaced before pasting: no fragment. */
static void add_fragment(struct plan *p, const struct def *d, unsigned b,
			 unsigned e, char where)
{
	const char *s = p->files[d->file].text;
	unsigned l = e - b, k;
	char buf[256];

	if (l < 3 || l >= sizeof(buf) - 1)
		return;
	for (k = d->pb; k + l <= d->pe; k++)
		if (!memcmp(s + k, s + b, l) &&
		    (k == d->pb || !is_ident(s[k - 1])) &&
		    (k + l == d->pe || !is_ident(s[k + l])))
			return;
	buf[0] = where;
	memcpy(buf + 1, s + b, l);
	buf[l + 1] = 0;
	strtab_intern(&p->fragments, buf);
}

/* Every identifier of d's span is a name reached; for a macro, those
 * pasted to another by "##" are fragments. */
static void follow(struct plan *p, const struct def *d, int how)
{
	const char *s = p->files[d->file].text;
	unsigned i = d->b, e = d->e, b, last_b = 0, last_e = 0;
	/* The last token was an identifier (pasted to what precedes it). */
	int last = 0, last_pasted = 0, pasting = 0, last_how = how;
	/* Inside braces: the code of a function (or a statement
	 * expression), whatever reached the macro that spells it. */
	int braces = 0;

#define LAST_DONE(followed)                                         \
	do {                                                        \
		if (last && d->macro && last_how == REACH_CALLS &&  \
		    (last_pasted || (followed)))                    \
			add_fragment(p, d, last_b, last_e,          \
				     last_pasted && (followed) ?    \
					     FRAGMENT_INSIDE :      \
				     last_pasted ? FRAGMENT_END :   \
						   FRAGMENT_START); \
		last = 0;                                           \
	} while (0)

	while (i < e) {
		char c = s[i];
		unsigned j;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\\') {
			i++;
			continue;
		}
		if (c == '#' && i + 1 < e && s[i + 1] == '#') {
			LAST_DONE(1);
			pasting = 1;
			i += 2;
			continue;
		}
		LAST_DONE(0);
		j = skip_comment_or_literal(s, e, i);
		if (j != i) {
			i = j;
			pasting = 0;
			continue;
		}
		if (is_ident_start(c)) {
			for (b = i; i < e && is_ident(s[i]); i++)
				;
			last_how = braces ? REACH_CALLS : how;
			reach(p, name_id(p, s, b, i), last_how);
			last = 1;
			last_pasted = pasting;
			last_b = b;
			last_e = i;
		} else if (c >= '0' && c <= '9') {
			while (i < e && (is_ident(s[i]) || s[i] == '.'))
				i++;
		} else {
			braces += c == '{';
			braces -= c == '}' && braces;
			i++;
		}
		pasting = 0;
	}
	LAST_DONE(0);
#undef LAST_DONE
}

/* Can a macro pasting fragment f make name? */
static int pastes_into(const char *f, const char *name)
{
	size_t fl = strlen(f + 1), nl = strlen(name);

	if (fl > nl)
		return 0;
	if (f[0] == FRAGMENT_START)
		return !strncmp(name, f + 1, fl);
	if (f[0] == FRAGMENT_END)
		return !strcmp(name + nl - fl, f + 1);
	return strstr(name, f + 1) != NULL;
}

/* Follows names until nothing new is reached. */
static void close_over(struct plan *p)
{
	int checked = 0; /* fragments every name was compared with */
	int l, m, k;

	/* A body's candidates are linked one after another.  Those that
	 * are macros, next to one that is not, are invoked at file scope
	 * ("DEFINE_X(a) static inline int f(void) {" defines what
	 * DEFINE_X() expands to) and do not name the function. */
	for (l = 0; l < p->nlinks; l = m) {
		int names = 0;

		for (m = l; m < p->nlinks && p->links[m].def == p->links[l].def;
		     m++)
			names += !p->has_macro[p->links[m].name];
		if (p->defs[p->links[l].def].macro || !names)
			continue;
		for (k = l; k < m; k++)
			if (p->has_macro[p->links[k].name]) {
				p->links[k].invocation = 1;
				reach(p, p->links[k].name, REACH_DEFINES);
			}
	}

	for (;;) {
		int n, f;

		while (p->nwork) {
			int name = p->work[--p->nwork];
			int how = p->reached[name];

			for (l = p->first_link[name]; l >= 0;
			     l = p->links[l].next) {
				struct def *d = &p->defs[p->links[l].def];

				if (d->reached >= how || p->links[l].invocation)
					continue;
				/* A body is code: followed once, as calls. */
				d->reached = d->macro ? (unsigned char)how :
							REACH_CALLS;
				follow(p, d, d->reached);
			}
		}
		if (p->fragments.n == checked)
			return;
		/* Names that a reached macro may paste together. */
		for (n = 0; n < p->names.n; n++) {
			const char *name;

			if (p->reached[n] == REACH_CALLS ||
			    p->first_link[n] < 0)
				continue;
			name = strtab_str(&p->names, n);
			for (f = checked; f < p->fragments.n; f++)
				if (pastes_into(strtab_str(&p->fragments, f),
						name)) {
					reach(p, n, REACH_CALLS);
					break;
				}
		}
		checked = p->fragments.n;
	}
}

/* "path:line: name" of a body left out, for --plan-bodies. */
static void note_left_out(struct plan *p, struct header_bodies *hb,
			  const struct file *f, const struct def *def,
			  unsigned line)
{
	size_t len = 0, cap = 0;
	char *names = NULL, *entry;
	int l;

	for (l = def->link_b; l < def->link_e; l++) {
		if (p->links[l].invocation)
			continue;
		if (names)
			str_append(&names, &len, &cap, " ");
		str_append(&names, &len, &cap,
			   strtab_str(&p->names, p->links[l].name));
	}
	entry = xasprintf("%s:%u: %s", f->path, line, names ? names : "");
	free(names);
	hb->left_out =
		xrealloc(hb->left_out, sizeof(char *) * (hb->nskipped + 1));
	hb->left_out[hb->nskipped] = entry;
}

/* A copy of header fi with its unreached bodies left out, or NULL. */
static char *strip(struct plan *p, struct header_bodies *hb, int fi,
		   unsigned *len)
{
	const struct file *f = &p->files[fi];
	char *out = NULL;
	unsigned at = 0, o = 0, line = 1, line_at = 0;
	int d;

	for (d = f->def_b; d < f->def_e; d++) {
		const struct def *def = &p->defs[d];
		unsigned k;

		if (def->macro)
			continue;
		hb->nbodies++;
		if (def->reached || !def->strippable)
			continue;
		for (; line_at < def->b; line_at++)
			line += f->text[line_at] == '\n';
		note_left_out(p, hb, f, def, line);
		if (!out)
			out = xmalloc(f->len + 1);
		memcpy(out + o, f->text + at, def->b - at);
		o += def->b - at;
		out[o++] = ';';
		for (k = def->b; k < def->e; k++)
			if (f->text[k] == '\n')
				out[o++] = '\n';
		at = def->e;
		hb->nskipped++;
	}
	if (!out)
		return NULL;
	memcpy(out + o, f->text + at, f->len - at);
	o += f->len - at;
	out[o] = 0;
	*len = o;
	return out;
}

void header_bodies_plan(struct header_bodies *hb, const char *main,
			const char *const *args, int nargs)
{
	struct plan p;
	const char **forced;
	int nforced, i, l;

	memset(hb, 0, sizeof(*hb));
	memset(&p, 0, sizeof(p));
	search_path(&p, args, nargs, &forced, &nforced);
	/* The forced includes come first, then the file. */
	for (i = 0; i < nforced; i++)
		try_open(&p, forced[i], ends_with_h(forced[i]));
	try_open(&p, main, 0);
	for (i = 0; i < p.nfiles; i++) {
		p.files[i].def_b = p.ndefs;
		scan(&p, i);
		p.files[i].def_e = p.ndefs;
	}
	close_over(&p);
	for (i = 0; i < p.nfiles; i++) {
		unsigned len;
		char *text;

		if (!p.files[i].header)
			continue;
		hb->nheaders++;
		text = strip(&p, hb, i, &len);
		if (!text)
			continue;
		hb->files = xrealloc(hb->files,
				     sizeof(*hb->files) * (hb->nfiles + 1));
		hb->files[hb->nfiles].Filename = xstrdup(p.files[i].path);
		hb->files[hb->nfiles].Contents = text;
		hb->files[hb->nfiles].Length = len;
		hb->nfiles++;
	}
	for (l = 0; l < p.nlinks; l++) {
		const struct def *d = &p.defs[p.links[l].def];

		if (!d->macro && !d->reached && d->strippable)
			strtab_intern(&hb->skipped,
				      strtab_str(&p.names, p.links[l].name));
	}
	for (i = 0; i < p.nfiles; i++) {
		free(p.files[i].path);
		free(p.files[i].dir);
		free(p.files[i].text);
	}
	free(p.files);
	strtab_free(&p.ids);
	free(p.id_file);
	free(p.quote_dirs);
	free(p.dirs);
	free(forced);
	strtab_free(&p.resolved);
	free(p.defs);
	free(p.links);
	strtab_free(&p.names);
	free(p.first_link);
	free(p.reached);
	free(p.has_macro);
	free(p.work);
	strtab_free(&p.fragments);
}

int header_bodies_skipped(const struct header_bodies *hb, const char *name)
{
	return strtab_find(&hb->skipped, name) >= 0;
}

void header_bodies_free(struct header_bodies *hb)
{
	unsigned i;

	for (i = 0; i < hb->nfiles; i++) {
		free((char *)hb->files[i].Filename);
		free((char *)hb->files[i].Contents);
	}
	free(hb->files);
	for (i = 0; i < (unsigned)hb->nskipped; i++)
		free(hb->left_out[i]);
	free(hb->left_out);
	strtab_free(&hb->skipped);
	memset(hb, 0, sizeof(*hb));
}
