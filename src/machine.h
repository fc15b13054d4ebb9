/* machine.h - TODO */
