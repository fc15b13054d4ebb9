/* acct.h - `perfrl acct`: one row per RL iteration, in sacct's formats. */
#ifndef PERFRL_ACCT_H
#define PERFRL_ACCT_H

#include <stdio.h>

int cmd_acct(int argc, char **argv);
/* cmd_acct with its report written to out (errors and notes still go to stderr). */
int acct_main(int argc, char **argv, FILE *out);

#endif
