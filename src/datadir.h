/* datadir.h - where perfrl's shipped files (templates, example kernels) are. */
#ifndef PERFRL_DATADIR_H
#define PERFRL_DATADIR_H

/* $PERFRL_DATADIR, else the source tree this perfrl was built from (while it exists), else
 * the installed data directory. Returns a static path; rel is e.g. "templates/x". */
const char *datadir_path(const char *rel);

#endif
