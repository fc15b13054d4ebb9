/* measure.h - TODO */
