/* catalogue.c - the techniques a kernel may use: the built-ins, the ones stages.lua adds,
 * sets of them by name, and the compliance rule. Detection is in techniques.c. */
#include "config.h"
#include "catalogue.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct technique {
	char name[TECH_NAME_MAX];
	char *description;
	char **identifiers; /* NULL-terminated, never NULL */
	char **pragmas;     /* NULL-terminated, never NULL */
	int user;
};

struct catalogue {
	int n;
	struct technique t[TECH_MAX];
};

/* What a prompt says about each built-in: what to do, not how the detector sees it. */
static const struct {
	const char *name, *description;
} builtins[TECH__BUILTIN] = {
	[TECH_OPENMP] = {"openmp", "thread parallelism with OpenMP (#pragma omp parallel for, "
				   "one thread per core), sharing rows or blocks of C among threads"},
	[TECH_SIMD] = {"simd", "explicit SIMD vectorisation: AVX2/AVX-512 intrinsics from "
			       "<immintrin.h> (e.g. _mm256_fmadd_pd) or #pragma omp simd"},
	[TECH_CACHE_BLOCKING] = {"cache_blocking", "cache blocking (loop tiling): split the m, n "
						   "and k loops into tiles that fit the L1/L2 caches "
						   "and iterate within each tile"},
	[TECH_REGISTER_BLOCKING] = {"register_blocking",
				    "register blocking: a micro-kernel that keeps a small block of C "
				    "(e.g. 4x8) in local accumulators or vector registers across the "
				    "k loop and stores it once"},
	[TECH_PACKING] = {"packing", "packing: copy panels of A and B into contiguous, aligned "
				     "buffers in the order the inner loops read them"},
	[TECH_UNROLLING] = {"unrolling", "loop unrolling, by hand or with #pragma GCC unroll"},
	[TECH_PREFETCH] = {"prefetch", "software prefetching of the next panels "
				       "(__builtin_prefetch or _mm_prefetch)"},
	[TECH_LOOP_REORDER] = {"loop_reorder", "loop interchange (e.g. i-k-j order) so that the "
					       "innermost loop walks B and C with unit stride"},
};

static char *const no_rules[] = {NULL};

static char **copy_list(const char *const *l)
{
	size_t n = 0;
	char **out;
	while (l && l[n])
		n++;
	out = util_xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = util_xstrdup(l[i]);
	return out;
}

static void free_list(char **l)
{
	if (!l || l == (char **)no_rules)
		return;
	for (char **p = l; *p; p++)
		free(*p);
	free(l);
}

struct catalogue *catalogue_new(void)
{
	struct catalogue *c = util_xcalloc(1, sizeof *c);
	for (int i = 0; i < TECH__BUILTIN; i++) {
		snprintf(c->t[i].name, sizeof c->t[i].name, "%s", builtins[i].name);
		c->t[i].description = util_xstrdup(builtins[i].description);
		c->t[i].identifiers = (char **)no_rules;
		c->t[i].pragmas = (char **)no_rules;
	}
	c->n = TECH__BUILTIN;
	return c;
}

void catalogue_free(struct catalogue *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++) {
		free(c->t[i].description);
		free_list(c->t[i].identifiers);
		free_list(c->t[i].pragmas);
	}
	free(c);
}

int catalogue_count(const struct catalogue *c)
{
	return c->n;
}

int catalogue_find(const struct catalogue *c, const char *name)
{
	for (int i = 0; name && i < c->n; i++)
		if (!strcmp(c->t[i].name, name))
			return i;
	return -1;
}

const char *catalogue_name(const struct catalogue *c, int i)
{
	return i >= 0 && i < c->n ? c->t[i].name : NULL;
}

const char *catalogue_description(const struct catalogue *c, int i)
{
	return i >= 0 && i < c->n ? c->t[i].description : NULL;
}

int catalogue_is_user(const struct catalogue *c, int i)
{
	return i >= 0 && i < c->n && c->t[i].user;
}

const char *const *catalogue_identifiers(const struct catalogue *c, int i)
{
	return (const char *const *)(i >= 0 && i < c->n ? c->t[i].identifiers : no_rules);
}

const char *const *catalogue_pragmas(const struct catalogue *c, int i)
{
	return (const char *const *)(i >= 0 && i < c->n ? c->t[i].pragmas : no_rules);
}

static int valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= TECH_NAME_MAX || !(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return strcmp(s - n, "none") != 0; /* "none" names the empty set */
}

/* A rule is an identifier (a trailing '*': a prefix) or space-separated pragma words. */
static int valid_rule(const char *r, int pragma)
{
	size_t n = strlen(r);
	if (n == 0 || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = r[i];
		int ident = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '_';
		if (!ident && !(pragma && ch == ' ') && !(!pragma && ch == '*' && i == n - 1))
			return 0;
	}
	return 1;
}

int catalogue_add(struct catalogue *c, const char *name, const char *description,
		  const char *const *identifiers, const char *const *pragmas, char *err,
		  size_t errlen)
{
	int i = catalogue_find(c, name), nrules = 0;
	struct technique *t;

	if (!valid_name(name)) {
		snprintf(err, errlen, "bad technique name '%.40s' (want [a-z][a-z0-9_]*, at most %d "
			 "characters, not 'none')", name ? name : "", TECH_NAME_MAX - 1);
		return -1;
	}
	if (!description || !*description || strlen(description) > 1000) {
		snprintf(err, errlen, "technique %s: a description of 1 to 1000 characters is required",
			 name);
		return -1;
	}
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *r = pass ? pragmas : identifiers; r && *r; r++, nrules++)
			if (!valid_rule(*r, pass)) {
				snprintf(err, errlen, "technique %s: bad %s rule '%.40s'", name,
					 pass ? "pragma" : "identifier", *r);
				return -1;
			}
	if (i >= 0 && !c->t[i].user) {
		if (nrules) {
			snprintf(err, errlen, "technique %s is built in: only its description can be "
				 "changed", name);
			return -1;
		}
		free(c->t[i].description);
		c->t[i].description = util_xstrdup(description);
		return 0;
	}
	if (i >= 0) {
		snprintf(err, errlen, "technique %s is defined twice", name);
		return -1;
	}
	if (!nrules) {
		snprintf(err, errlen, "technique %s: give identifiers or pragmas that detect it", name);
		return -1;
	}
	if (c->n >= TECH_MAX) {
		snprintf(err, errlen, "technique %s: the catalogue is full (%d techniques)", name,
			 TECH_MAX);
		return -1;
	}
	t = &c->t[c->n++];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->description = util_xstrdup(description);
	t->identifiers = copy_list(identifiers);
	t->pragmas = copy_list(pragmas);
	t->user = 1;
	return 0;
}

static json_t *list_json(char **l)
{
	json_t *a = json_array();
	for (; l && *l; l++)
		json_array_append_new(a, json_string(*l));
	return a;
}

json_t *catalogue_json(const struct catalogue *c)
{
	json_t *arr = json_array();
	for (int i = 0; i < c->n; i++) {
		json_t *o = json_pack("{s:s, s:s}", "name", c->t[i].name, "description",
				      c->t[i].description);
		if (c->t[i].user) {
			json_object_set_new(o, "identifiers", list_json(c->t[i].identifiers));
			json_object_set_new(o, "pragmas", list_json(c->t[i].pragmas));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

/* A JSON array of strings as a NULL-terminated vector of borrowed strings (free the vector). */
static const char **strings_of(json_t *a, int *bad)
{
	size_t i, n = json_is_array(a) ? json_array_size(a) : 0;
	const char **v = util_xcalloc(n + 1, sizeof *v);
	*bad = a && !json_is_array(a);
	for (i = 0; i < n; i++)
		if (!(v[i] = json_string_value(json_array_get(a, i))))
			*bad = 1;
	return v;
}

int catalogue_load_json(struct catalogue *c, json_t *arr, char *err, size_t errlen)
{
	size_t i;
	json_t *o;
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "a technique catalogue must be a JSON array");
		return -1;
	}
	json_array_foreach(arr, i, o) {
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *desc = json_string_value(json_object_get(o, "description"));
		int bad1, bad2, rc;
		const char **ids = strings_of(json_object_get(o, "identifiers"), &bad1);
		const char **prs = strings_of(json_object_get(o, "pragmas"), &bad2);
		int k = catalogue_find(c, name);
		if (bad1 || bad2 || !name || !desc) {
			snprintf(err, errlen, "technique catalogue entry %zu: want {name, description"
				 "[, identifiers, pragmas]} with strings", i);
			rc = -1;
		} else if (k >= 0 && k < TECH__BUILTIN && !ids[0] && !prs[0]) {
			rc = catalogue_add(c, name, desc, NULL, NULL, err, errlen);
		} else if (k >= 0 && !strcmp(c->t[k].description, desc)) {
			rc = 0; /* already known (loaded twice) */
		} else {
			rc = catalogue_add(c, name, desc, ids, prs, err, errlen);
		}
		free(ids);
		free(prs);
		if (rc != 0)
			return -1;
	}
	return 0;
}

json_t *techset_json(const struct catalogue *c, techset_t s)
{
	json_t *a = json_array();
	for (int i = 0; i < c->n; i++)
		if (s & (1u << i))
			json_array_append_new(a, json_string(c->t[i].name));
	return a;
}

int techset_from_json(const struct catalogue *c, json_t *arr, techset_t *out, char *err,
		      size_t errlen)
{
	size_t i;
	json_t *v;
	*out = 0;
	if (!arr)
		return 0;
	if (!json_is_array(arr)) {
		snprintf(err, errlen, "techniques must be an array of names");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		int k = catalogue_find(c, json_string_value(v));
		if (k < 0) {
			snprintf(err, errlen, "unknown technique '%.40s'",
				 json_is_string(v) ? json_string_value(v) : "(not a string)");
			return -1;
		}
		*out |= 1u << k;
	}
	return 0;
}

void techset_format(const struct catalogue *c, techset_t s, char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < c->n; i++)
		if (s & (1u << i)) {
			int w = snprintf(buf + used, len - used, "%s%s", used ? "+" : "", c->t[i].name);
			if (w < 0 || (size_t)w >= len - used)
				return; /* truncated */
			used += (size_t)w;
		}
	if (!used)
		snprintf(buf, len, "none");
}

int techset_parse(const struct catalogue *c, const char *text, techset_t *out, char *err,
		  size_t errlen)
{
	char name[TECH_NAME_MAX + 1];
	const char *p = text;
	*out = 0;
	if (!*text || !strcmp(text, "none"))
		return 0;
	while (*p) {
		size_t n = strcspn(p, "+,");
		int k;
		if (n == 0 || n >= sizeof name) {
			snprintf(err, errlen, "bad technique list '%.60s'", text);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if ((k = catalogue_find(c, name)) < 0) {
			snprintf(err, errlen, "unknown technique '%s'", name);
			return -1;
		}
		*out |= 1u << k;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/* "a, b and c" of the names in s, into buf. */
static void names(const struct catalogue *c, techset_t s, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < c->n && used < len; i++)
		if (s & (1u << i)) {
			int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", c->t[i].name);
			if (w < 0)
				return;
			used += (size_t)w;
		}
	if (!used)
		snprintf(buf, len, "none");
}

int techniques_comply(const struct catalogue *c, techset_t used, techset_t permitted,
		      techset_t required, char *why, size_t whylen)
{
	char list[TECH_MAX * (TECH_NAME_MAX + 2)], bad[TECH_MAX * (TECH_NAME_MAX + 2)];
	techset_t extra = used & ~permitted, missing = required & ~used;
	if (extra) {
		names(c, extra, bad, sizeof bad);
		names(c, permitted, list, sizeof list);
		snprintf(why, whylen, "uses %s, which %s not permitted here (permitted: %s)", bad,
			 (extra & (extra - 1)) ? "are" : "is", list);
		return -1;
	}
	if (missing) {
		names(c, missing, bad, sizeof bad);
		snprintf(why, whylen, "does not use the required technique%s %s",
			 (missing & (missing - 1)) ? "s" : "", bad);
		return -1;
	}
	if (whylen)
		why[0] = '\0';
	return 0;
}
