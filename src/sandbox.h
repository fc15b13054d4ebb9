/* sandbox.h - TODO */
