/* measure.c - TODO */
#include "config.h"
typedef int measure_placeholder;
