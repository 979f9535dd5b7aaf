/*
 * trap_stub.h - constants shared by the exception stubs (boot.S) and trap.c.
 */
#ifndef XB_GUEST_TRAP_STUB_H
#define XB_GUEST_TRAP_STUB_H

#define TRAP_VECTORS 32
/* Vectors for which the CPU pushes an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. */
#define TRAP_ERRCODE_MASK ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | \
			   (1 << 17) | (1 << 21) | (1 << 29) | (1 << 30))
/* What guest_try() returns when the guarded call raised an exception. */
#define GUEST_TRY_FAULTED (-4096)

#endif
