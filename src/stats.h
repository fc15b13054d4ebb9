/* stats.h - TODO */
