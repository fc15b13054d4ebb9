/* test_table.c - table.c, the one sacct-style printer: widths, the '+' of a cut value, names by
 * prefix, the parsable forms, the delimiter, no header. */
#include "config.h"
#include "table.h"
#include "../lib/check.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fruit {
	const char *name;
	int count;
};

static void p_name(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%s", ((const struct fruit *)row)->name);
}

static void p_count(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)ctx;
	snprintf(buf, len, "%d", ((const struct fruit *)row)->count);
}

/* the context reaches every getter */
static void p_unit(const void *row, const void *ctx, char *buf, size_t len)
{
	(void)row;
	snprintf(buf, len, "%s", ctx ? (const char *)ctx : "");
}

static const struct table_field fields[] = {
	{"Name", -6, p_name, 0},
	{"Count", 5, p_count, 0},
	{"CountAgain", 3, p_count, 0},
	{"Unit", -4, p_unit, 0},
	{"Label", -4, p_name, TABLE_NOCUT},
};

static const struct fruit rows[] = {{"apple", 3}, {"clementine", 12345}, {"fig", -1}};

/* The table of list over rows with o's options; its output, or "ERR: why". */
static char *print(const struct table_opts *o, const char *list, const char *ctx, int fit)
{
	struct table t;
	char *buf = NULL, err[512];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	const void *ptrs[] = {&rows[0], &rows[1], &rows[2]};

	table_init(&t, fields, sizeof fields / sizeof fields[0], o, out);
	t.ctx = ctx;
	if (table_format(&t, list, err, sizeof err) != 0) {
		fprintf(out, "ERR: %s", err);
	} else {
		if (fit)
			table_fit(&t, ptrs, 3);
		table_header(&t);
		for (int i = 0; i < 3; i++)
			table_row(&t, &rows[i]);
		table_note(&t, "(a note)");
	}
	table_free(&t);
	fclose(out);
	return buf;
}

#define CHECK_TABLE(o, list, ctx, fit, want)                                                 \
	do {                                                                                 \
		char *got_ = print(o, list, ctx, fit);                                       \
		CHECK_STR(got_, want);                                                       \
		free(got_);                                                                  \
	} while (0)

static void test_fixed(void)
{
	/* each field then one space, right- or left-justified by the width's sign; a header
	 * and dashes; a value too long is cut and its last visible character is '+' */
	CHECK_TABLE(NULL, "Name,Count", NULL, 0,
		    "Name   Count \n"
		    "------ ----- \n"
		    "apple      3 \n"
		    "cleme+ 12345 \n"
		    "fig       -1 \n"
		    "(a note)\n");
	/* %W overrides the width; a header too long is cut without '+' (as sacct) */
	CHECK_TABLE(NULL, "Name%3,Count%-6", NULL, 0,
		    "Nam Count  \n"
		    "--- ------ \n"
		    "ap+ 3      \n"
		    "cl+ 12345  \n"
		    "fig -1     \n"
		    "(a note)\n");
	CHECK_TABLE(NULL, "CountAgain", NULL, 0,
		    "Cou \n--- \n  3 \n12+ \n -1 \n(a note)\n");
	/* a width of 1 still says that something was cut */
	CHECK_TABLE(NULL, "Name%1", NULL, 0, "N \n- \n+ \n+ \n+ \n(a note)\n");
	/* the context reaches the getters */
	CHECK_TABLE(NULL, "Unit%2", "kg", 0, "Un \n-- \nkg \nkg \nkg \n(a note)\n");
	/* a NOCUT field overflows rather than cut; table_fit widens it to the longest value;
	 * a width the format gives is kept, and cuts as any other */
	CHECK_TABLE(NULL, "Label", NULL, 0,
		    "Labe \n---- \napple \nclementine \nfig  \n(a note)\n");
	CHECK_TABLE(NULL, "Label", NULL, 1,
		    "Label      \n---------- \napple      \nclementine \nfig        \n(a note)\n");
	CHECK_TABLE(NULL, "Label%3", NULL, 1, "Lab \n--- \nap+ \ncl+ \nfig \n(a note)\n");
}

static void test_names(void)
{
	/* any case, by a unique prefix; an exact name beats a longer one; blanks and empty
	 * items are skipped */
	CHECK_TABLE(NULL, " na , COUNT,,", NULL, 0,
		    "Name   Count \n------ ----- \napple      3 \ncleme+ 12345 \nfig       -1 \n"
		    "(a note)\n");
	CHECK_TABLE(NULL, "countA%4", NULL, 0, "Coun \n---- \n   3 \n123+ \n  -1 \n(a note)\n");
	CHECK_TABLE(NULL, "Co", NULL, 0,
		    "ERR: ambiguous field 'Co'; valid fields: Name, Count, CountAgain, Unit, Label");
	CHECK_TABLE(NULL, "Name,Weight", NULL, 0,
		    "ERR: unknown field 'Weight'; valid fields: Name, Count, CountAgain, Unit, Label");
	CHECK_TABLE(NULL, "Names", NULL, 0,
		    "ERR: unknown field 'Names'; valid fields: Name, Count, CountAgain, Unit, Label");
	CHECK_TABLE(NULL, "Name%x", NULL, 0,
		    "ERR: bad width in 'Name%x' (a non-zero integer between -1000 and 1000)");
	CHECK_TABLE(NULL, "Name%0", NULL, 0,
		    "ERR: bad width in 'Name%0' (a non-zero integer between -1000 and 1000)");
	CHECK_TABLE(NULL, "Name%", NULL, 0,
		    "ERR: bad width in 'Name%' (a non-zero integer between -1000 and 1000)");
	CHECK_TABLE(NULL, "Name%1001", NULL, 0,
		    "ERR: bad width in 'Name%1001' (a non-zero integer between -1000 and 1000)");
	CHECK_TABLE(NULL, "%5", NULL, 0, "ERR: a width without a field name in '%5'");
	CHECK_TABLE(NULL, ",", NULL, 0, "ERR: no fields");
	CHECK_TABLE(NULL, "", NULL, 0, "ERR: no fields");
}

static void test_parsable(void)
{
	struct table_opts p = {.mode = TABLE_PARSABLE}, p2 = {.mode = TABLE_PARSABLE2};
	struct table_opts d = {.mode = TABLE_PARSABLE2, .delim = ";;"};
	struct table_opts n = {.noheader = 1}, pn = {.mode = TABLE_PARSABLE, .noheader = 1};

	/* -p: after every field, the last one included; never cut, no dashes, no notes */
	CHECK_TABLE(&p, "Name%2,Count", NULL, 0,
		    "Name|Count|\napple|3|\nclementine|12345|\nfig|-1|\n");
	/* -P: between fields only */
	CHECK_TABLE(&p2, "Name%2,Count", NULL, 0,
		    "Name|Count\napple|3\nclementine|12345\nfig|-1\n");
	CHECK_TABLE(&p2, "Count", NULL, 0, "Count\n3\n12345\n-1\n");
	/* --delimiter */
	CHECK_TABLE(&d, "Name,Count", NULL, 0,
		    "Name;;Count\napple;;3\nclementine;;12345\nfig;;-1\n");
	/* -n, in both forms */
	CHECK_TABLE(&n, "Count", NULL, 0, "    3 \n12345 \n   -1 \n(a note)\n");
	CHECK_TABLE(&pn, "Count,Name", NULL, 0, "3|apple|\n12345|clementine|\n-1|fig|\n");
}

static void test_header_name(void)
{
	struct table t;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	table_init(&t, fields, sizeof fields / sizeof fields[0], NULL, out);
	CHECK(table_format(&t, "Count,Name", err, sizeof err) == 0);
	table_header_name(&t, "Count", "Pass@16");
	table_header(&t);
	table_helpformat(&t, out);
	table_free(&t);
	fclose(out);
	CHECK_STR(buf, "Pass@ Name   \n----- ------ \n"
		       "Name            Count           CountAgain      Unit\nLabel\n");
	free(buf);
}

static void test_options(void)
{
	static const struct option opts[] = {TABLE_LONG_OPTIONS, {"other", no_argument, NULL, 'x'},
					     {NULL, 0, NULL, 0}};
	char *argv[] = {"cmd", "--format=Name", "-P", "-n", "--delimiter", ",", "-x", "--helpformat",
			"-p", NULL};
	struct table_opts o = {0};
	int c, others = 0;

	CHECK(!table_opts_given(&o));
	optind = 0;
	while ((c = getopt_long(9, argv, "x" TABLE_SHORT_OPTIONS, opts, NULL)) != -1)
		if (!table_option(&o, c, optarg))
			others++;
	CHECK(others == 1);
	CHECK_STR(o.format, "Name");
	CHECK(o.mode == TABLE_PARSABLE); /* the last of -P and -p wins */
	CHECK(o.noheader && o.helpformat);
	CHECK_STR(o.delim, ",");
	CHECK(table_opts_given(&o));
}

int main(void)
{
	test_fixed();
	test_names();
	test_parsable();
	test_header_name();
	test_options();
	return CHECK_DONE();
}
