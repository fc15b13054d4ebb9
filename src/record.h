/* record.h - TODO */
