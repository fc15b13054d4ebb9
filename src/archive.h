/* archive.h - the quality-diversity archive: the best kernel of every cell (problem shape x
 * the techniques it uses), persisted in RUN/state/archive.json. */
#ifndef PERFRL_ARCHIVE_H
#define PERFRL_ARCHIVE_H

#include <stddef.h>
#include "catalogue.h"

struct archive_cell {
	char shape[32];         /* "MxNxK" */
	char techs[TECH_MAX * TECH_NAME_MAX]; /* techset_format of the cell's techniques ("none") */
	double gflops;          /* the elite's median GFLOPS */
	double reward;          /* the elite's reward */
	long found_iter;        /* the iteration that first filled the cell */
	long improved_iter;     /* the last iteration that filled the cell or made its elite at
				 * least ARCHIVE_MIN_GAIN faster */
	long offers;            /* ok kernels offered to the cell, elite included */
	char *sample_id;        /* the elite's sample id (owned) */
	char *source;           /* the elite's C source (owned) */
};

/* The smallest gain that counts as an improvement of a cell (5%: above the timer's noise on
 * a shared node); a smaller one still replaces the elite. */
#define ARCHIVE_MIN_GAIN 0.05

struct archive;

/* An empty archive. */
struct archive *archive_new(void);
void archive_free(struct archive *a);

/* RUN/state/archive.json (state_dir is RUN/state): a missing file is an empty archive.
 * 0, or -1 with err ("FILE: ..." for a file that does not parse). */
int archive_load(const char *state_dir, struct archive **out, char *err, size_t errlen);
/* Written atomically. 0, or -1 with err. */
int archive_save(const struct archive *a, const char *state_dir, char *err, size_t errlen);

/*
 * Offer an ok kernel to the cell (shape, techs): it becomes the elite when the cell is empty
 * or it is faster than the elite (ties keep the older one). Returns 1 when it became the
 * elite, 0 when not. The strings are copied.
 */
int archive_offer(struct archive *a, const char *shape, const char *techs, double gflops,
		  double reward, long iter, const char *sample_id, const char *source);

size_t archive_count(const struct archive *a);
/* Cells sorted by shape, then techniques. */
const struct archive_cell *archive_cell(const struct archive *a, size_t i);
/* The cell (shape, techs), or NULL. */
const struct archive_cell *archive_find(const struct archive *a, const char *shape,
					const char *techs);
/* "SHAPE/TECHS" (the name `perfrl archive --show` takes), into buf. */
void archive_cell_name(const struct archive_cell *cell, char *buf, size_t len);
/* By that name, or NULL. */
const struct archive_cell *archive_find_name(const struct archive *a, const char *name);

/* Filled cells / total_cells, at most 1 (0 when total_cells is 0). */
double archive_coverage(const struct archive *a, size_t total_cells);
/* The QD-score: the sum of the elites' GFLOPS. */
double archive_qd_score(const struct archive *a);

#endif
