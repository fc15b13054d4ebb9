/* build.c - TODO */
#include "config.h"
typedef int build_placeholder;
