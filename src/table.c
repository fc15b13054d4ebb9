/* table.c - one sacct-style table printer for every listing, after Slurm's print_fields.c
 * (STYLE.md): the conventions sacct's users already have in their fingers. */
#include "config.h"
#include "table.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TABLE_MAX_WIDTH 1000
#define TABLE_CELL_MAX 4096 /* a longer value is cut even in parsable output */

/* ---- options --------------------------------------------------------------------------- */

int table_option(struct table_opts *o, int c, const char *arg)
{
	switch (c) {
	case TABLE_OPT_FORMAT:
		o->format = arg;
		return 1;
	case TABLE_OPT_HELPFORMAT:
		o->helpformat = 1;
		return 1;
	case 'p':
		o->mode = TABLE_PARSABLE;
		return 1;
	case 'P':
		o->mode = TABLE_PARSABLE2;
		return 1;
	case TABLE_OPT_DELIMITER:
		o->delim = arg;
		return 1;
	case 'n':
		o->noheader = 1;
		return 1;
	default:
		return 0;
	}
}

int table_opts_given(const struct table_opts *o)
{
	return o->format || o->mode != TABLE_FIXED || o->delim || o->noheader || o->helpformat;
}

/* ---- the columns ----------------------------------------------------------------------- */

void table_init(struct table *t, const struct table_field *fields, size_t nfields,
		const struct table_opts *o, FILE *out)
{
	memset(t, 0, sizeof *t);
	t->fields = fields;
	t->nfields = nfields;
	t->out = out;
	t->delim = o && o->delim ? o->delim : "|"; /* sacct's default */
	t->mode = o ? o->mode : TABLE_FIXED;
	t->noheader = o ? o->noheader : 0;
}

void table_free(struct table *t)
{
	free(t->cols);
	t->cols = NULL;
	t->ncols = 0;
}

static void field_list(const struct table *t, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < t->nfields && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 t->fields[i].name);
}

/* An exact name (any case) wins; otherwise the one field the prefix names. */
static const struct table_field *find_field(const struct table *t, const char *name, size_t len,
					    int *ambiguous)
{
	const struct table_field *found = NULL;
	int matches = 0;
	*ambiguous = 0;
	for (size_t i = 0; i < t->nfields; i++) {
		if (strncasecmp(name, t->fields[i].name, len) != 0)
			continue;
		if (t->fields[i].name[len] == '\0')
			return &t->fields[i];
		found = &t->fields[i];
		matches++;
	}
	if (matches > 1) {
		*ambiguous = 1;
		return NULL;
	}
	return found;
}

/* The W of Name%W: a non-zero integer, its sign the justification. */
static int parse_width(const char *s, size_t len, int *width)
{
	char num[16], *end;
	long w;
	if (len == 0 || len >= sizeof num)
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	errno = 0;
	w = strtol(num, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || end == num || *end || w == 0 || w > TABLE_MAX_WIDTH || w < -TABLE_MAX_WIDTH)
		return -1;
	*width = (int)w;
	return 0;
}

int table_format(struct table *t, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	table_free(t);
	t->cols = util_xcalloc(strlen(list) / 2 + 1, sizeof *t->cols);
	while (*p) {
		const char *end = p + strcspn(p, ","), *pct, *name = p;
		struct table_column *c = &t->cols[t->ncols];
		size_t nlen;
		int ambiguous;

		while (name < end && isspace((unsigned char)*name))
			name++;
		pct = memchr(name, '%', (size_t)(end - name));
		nlen = (size_t)((pct ? pct : end) - name);
		while (nlen && isspace((unsigned char)name[nlen - 1]))
			nlen--;
		if (nlen == 0 && !pct) { /* an empty item, as in "a,,b": skipped like sacct */
			p = *end ? end + 1 : end;
			continue;
		}
		if (nlen == 0) {
			snprintf(err, errlen, "a width without a field name in '%.*s'",
				 (int)(end - p), p);
			return -1;
		}
		c->field = find_field(t, name, nlen, &ambiguous);
		if (!c->field) {
			char valid[1024];
			field_list(t, valid, sizeof valid);
			snprintf(err, errlen, "%s field '%.*s'; valid fields: %s",
				 ambiguous ? "ambiguous" : "unknown", (int)nlen, name, valid);
			return -1;
		}
		c->width = c->field->width;
		c->header = c->field->name;
		if (pct) {
			if (parse_width(pct + 1, (size_t)(end - pct - 1), &c->width) != 0) {
				snprintf(err, errlen, "bad width in '%.*s' (a non-zero integer between "
					 "-%d and %d)", (int)(end - p), p, TABLE_MAX_WIDTH,
					 TABLE_MAX_WIDTH);
				return -1;
			}
			c->width_given = 1;
		}
		t->ncols++;
		p = *end ? end + 1 : end;
	}
	if (t->ncols == 0) {
		snprintf(err, errlen, "no fields");
		return -1;
	}
	return 0;
}

void table_header_name(struct table *t, const char *name, const char *text)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].field->name, name))
			t->cols[i].header = text;
}

void table_fit(struct table *t, const void *const *rows, size_t n)
{
	char buf[TABLE_CELL_MAX];
	for (size_t i = 0; i < t->ncols; i++) {
		struct table_column *c = &t->cols[i];
		if (!(c->field->flags & TABLE_NOCUT) || c->width_given)
			continue;
		for (size_t r = 0; r < n; r++) {
			int len;
			c->field->get(rows[r], t->ctx, buf, sizeof buf);
			len = (int)strlen(buf);
			if (len > TABLE_MAX_WIDTH)
				len = TABLE_MAX_WIDTH;
			if (len > abs(c->width))
				c->width = c->width < 0 ? -len : len;
		}
	}
}

/* ---- printing, as print_fields does it --------------------------------------------------- */

static void put_cell(const struct table *t, const struct table_column *c, const char *v,
		     int last)
{
	int w = abs(c->width);
	if (t->mode == TABLE_PARSABLE2 && last)
		fputs(v, t->out);
	else if (t->mode != TABLE_FIXED)
		fprintf(t->out, "%s%s", v, t->delim);
	else if ((int)strlen(v) > w && !((c->field->flags & TABLE_NOCUT) && !c->width_given))
		fprintf(t->out, "%.*s+ ", w - 1, v); /* cut, and say so with '+' */
	else
		fprintf(t->out, c->width < 0 ? "%-*s " : "%*s ", w, v);
}

void table_header(const struct table *t)
{
	if (t->noheader)
		return;
	for (size_t i = 0; i < t->ncols; i++) {
		const struct table_column *c = &t->cols[i];
		if (t->mode != TABLE_FIXED)
			put_cell(t, c, c->header, i + 1 == t->ncols);
		else /* a name too long is cut without '+', as sacct does */
			fprintf(t->out, "%*.*s ", c->width, abs(c->width), c->header);
	}
	fputc('\n', t->out);
	if (t->mode != TABLE_FIXED)
		return;
	for (size_t i = 0; i < t->ncols; i++) {
		for (int k = 0; k < abs(t->cols[i].width); k++)
			fputc('-', t->out);
		fputc(' ', t->out);
	}
	fputc('\n', t->out);
}

void table_row(const struct table *t, const void *row)
{
	char buf[TABLE_CELL_MAX];
	for (size_t i = 0; i < t->ncols; i++) {
		buf[0] = '\0';
		t->cols[i].field->get(row, t->ctx, buf, sizeof buf);
		put_cell(t, &t->cols[i], buf, i + 1 == t->ncols);
	}
	fputc('\n', t->out);
}

void table_note(const struct table *t, const char *text)
{
	if (t->mode == TABLE_FIXED)
		fprintf(t->out, "%s\n", text);
}

void table_helpformat(const struct table *t, FILE *out)
{
	for (size_t i = 0; i < t->nfields; i++)
		fprintf(out, (i % 4 == 3 || i + 1 == t->nfields) ? "%s\n" : "%-16s",
			t->fields[i].name);
}
