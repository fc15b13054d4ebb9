/* sandbox.c - TODO */
#include "config.h"
typedef int sandbox_placeholder;
