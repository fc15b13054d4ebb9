/* cmd_bench.c - TODO */
#include "config.h"
#include "commands.h"
int cmd_bench(int argc, char **argv) { (void)argc; (void)argv; return 2; }
