/* harness_proto.h - the wire between perfrl (the parent) and perfrl-harness (the sandbox). */
#ifndef PERFRL_HARNESS_PROTO_H
#define PERFRL_HARNESS_PROTO_H

#include <stdint.h>

/*
 * perfrl-harness KERNEL.so INPUT_BYTES OUTPUT_BYTES CPUS
 * inherits four descriptors at fixed numbers. CPUS ("0,1") is the set the harness pins
 * itself to before loading the kernel, so that it runs on no more cores than it was given. The input memfd (A and B) is sealed against
 * writable mappings, so the kernel can read its inputs but never change the parent's copy;
 * C lives in its own memfd. The parent times each call itself, from writing a command to
 * reading the reply, so neither the clock nor the verdict is inside the sandbox.
 */
#define HARNESS_FD_INPUT 3
#define HARNESS_FD_OUTPUT 4
#define HARNESS_FD_CMD 5
#define HARNESS_FD_REPLY 6

enum harness_op {
	HARNESS_READY = 1, /* reply only: set up, sandboxed, waiting for commands */
	HARNESS_CALL = 2,  /* dgemm(m, n, k, in + a_off, in + b_off, out + c_off) */
	HARNESS_NOP = 3,   /* round trip without a call: measures the wire's own latency */
	HARNESS_QUIT = 4,
};

struct harness_cmd {
	int32_t op;
	int32_t m, n, k;
	uint64_t a_off, b_off, c_off; /* byte offsets into the input / output mappings */
	/* Echoed by the reply: a stale or forged reply is caught. The kernel can read it off
	 * the harness's stack, so it comes from the secret generator and reveals nothing. */
	uint64_t nonce;
};

enum harness_setup_error {
	HARNESS_OK = 0,
	HARNESS_E_USAGE = 1,
	HARNESS_E_MAP = 2,
	HARNESS_E_DLOPEN = 3,
	HARNESS_E_NOSYM = 4,
	HARNESS_E_PRIVS = 5,
	HARNESS_E_SECCOMP = 6,
	HARNESS_E_AFFINITY = 7,
};

struct harness_reply {
	int32_t op;
	int32_t status;  /* HARNESS_READY: a harness_setup_error */
	uint64_t nonce;
	char msg[200];   /* HARNESS_READY with an error: what failed (dlerror text) */
};

#endif
