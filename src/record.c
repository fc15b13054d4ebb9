/* record.c - TODO */
#include "config.h"
typedef int record_placeholder;
