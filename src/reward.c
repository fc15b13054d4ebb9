/* reward.c - TODO */
#include "config.h"
typedef int reward_placeholder;
