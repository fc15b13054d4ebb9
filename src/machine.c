/* machine.c - TODO */
#include "config.h"
typedef int machine_placeholder;
