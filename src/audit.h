/* audit.h - the object audit: what a compiled kernel defines, needs and runs. */
#ifndef PERFRL_AUDIT_H
#define PERFRL_AUDIT_H

#include <stddef.h>

/*
 * Audit a relocatable ELF object (the kernel's .o) with libelf:
 *  - exactly one defined symbol with external linkage (global or weak): `dgemm`, a function;
 *    besides it only gcc's lock word of `#pragma omp critical(NAME)`, the pointer-sized
 *    common `.gomp_critical_user_NAME`;
 *  - every undefined symbol is on the allowlist (libc memory/math, stack-protector and
 *    fortify helpers), or is a GOMP_/omp_ name that libgomp.so exports or a _ZGV name
 *    that libmvec.so exports (their .dynsym, default versions, found through the kernel
 *    compiler and read once per process: an unreadable library gives -2);
 *  - no section that runs code at load or exit (.init_array, .fini_array, .preinit_array,
 *    .ctors, .dtors, .init, .fini) and no GNU ifunc symbols; only known section kinds.
 * Returns 0 when the object passes, -1 on a violation (reason in why), -2 when the file
 * cannot be read as ELF (reason in why).
 */
int audit_object(const char *path, char *why, size_t whylen);

#endif
