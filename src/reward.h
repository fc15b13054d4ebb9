/* reward.h - TODO */
