/* build.h - TODO */
