/* verify.c - TODO */
#include "config.h"
typedef int verify_placeholder;
