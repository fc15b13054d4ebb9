/* verify.h - TODO */
