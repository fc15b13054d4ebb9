/* table.h - one sacct-style table printer for every listing (after Slurm's print_fields.c):
 * fixed width by default (each field then one space, a header and a line of dashes, a value too
 * long cut to end in '+'), -p/-P parsable with --delimiter, -n without the header, and
 * --format=Name%W over a static table of fields. */
#ifndef PERFRL_TABLE_H
#define PERFRL_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* Writes one cell of row into buf (an empty string is a blank cell); ctx is the table's. */
typedef void (*table_getter)(const void *row, const void *ctx, char *buf, size_t len);

enum {
	/* The value is never cut: a longer one overflows its column (table_fit widens it). */
	TABLE_NOCUT = 1u << 0,
};

/* One row of a listing's static field table: adding a field is adding a row. */
struct table_field {
	const char *name; /* what --format names and the header shows */
	int width;        /* default width: > 0 right-justified, < 0 left-justified */
	table_getter get;
	unsigned flags;   /* TABLE_NOCUT */
};

enum table_mode {
	TABLE_FIXED,     /* sacct's default */
	TABLE_PARSABLE,  /* -p: the delimiter after every field, the last one included */
	TABLE_PARSABLE2, /* -P: the delimiter between fields only */
};

struct table_column {
	const struct table_field *field;
	int width;          /* > 0 right-justified, < 0 left-justified */
	int width_given;    /* Name%W: table_fit leaves it */
	const char *header; /* the field's name unless table_header_name renamed it */
};

/* The printing options every listing takes, as getopt finds them. */
struct table_opts {
	const char *format; /* --format LIST, or NULL */
	enum table_mode mode;
	const char *delim; /* --delimiter, or NULL for '|' */
	int noheader;
	int helpformat;
};

/* getopt_long codes of the long-only options; -p, -P and -n are their own letters. */
enum { TABLE_OPT_FORMAT = 0x7100, TABLE_OPT_DELIMITER, TABLE_OPT_HELPFORMAT };

/* The struct option rows of --format, --helpformat, -p, -P, --delimiter and -n. */
#define TABLE_LONG_OPTIONS                                                                  \
	{"format", required_argument, NULL, TABLE_OPT_FORMAT},                              \
	{"helpformat", no_argument, NULL, TABLE_OPT_HELPFORMAT},                            \
	{"parsable", no_argument, NULL, 'p'},                                               \
	{"parsable2", no_argument, NULL, 'P'},                                              \
	{"delimiter", required_argument, NULL, TABLE_OPT_DELIMITER},                        \
	{"noheader", no_argument, NULL, 'n'}
/* Their short letters, for getopt_long's optstring. */
#define TABLE_SHORT_OPTIONS "pPn"

/* 1 when c (a getopt_long answer) was one of the table's options, stored into o; else 0. */
int table_option(struct table_opts *o, int c, const char *arg);
/* 1 when any of the options was given (a listing with none of them may refuse them). */
int table_opts_given(const struct table_opts *o);

struct table {
	const struct table_field *fields;
	size_t nfields;
	struct table_column *cols;
	size_t ncols;
	enum table_mode mode;
	const char *delim;
	int noheader;
	const void *ctx; /* passed to every getter */
	FILE *out;
};

/* A table over fields, printed to out with o's options (o may be NULL: the defaults). */
void table_init(struct table *t, const struct table_field *fields, size_t nfields,
		const struct table_opts *o, FILE *out);
/* "Name[%W],...": 0, or -1 with err saying why (an unknown or ambiguous name lists the
 * valid ones). Names match case-insensitively, an exact name first, else a unique prefix. */
int table_format(struct table *t, const char *list, char *err, size_t errlen);
/* Every column of field name gets header text instead (a header that depends on the data). */
void table_header_name(struct table *t, const char *name, const char *text);
/* Widens each TABLE_NOCUT column without a %W to its longest value over rows. */
void table_fit(struct table *t, const void *const *rows, size_t n);
/* The header (and, fixed-width, the dashes), unless -n. */
void table_header(const struct table *t);
void table_row(const struct table *t, const void *row);
/* One fixed-width line outside the columns (a note); nothing when parsable. */
void table_note(const struct table *t, const char *text);
/* --helpformat: the field names, four to a line, as sacct -e. */
void table_helpformat(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif
