/* design: @DESIGN@ */
/* A DGEMM of perfrl's kernel design space (src/kernel_space.c): @SUMMARY@.
 * C = A * B, all row-major; C's prior contents are never read before they are written. */
#include <string.h>@INCLUDES@@DEFINES@
