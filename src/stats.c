/* stats.c - TODO */
#include "config.h"
typedef int stats_placeholder;
