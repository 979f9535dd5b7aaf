/*
 * cr.h - the control-register and EFER bits the payload (boot.S, main.c) and this project's
 * VMM (host/kvm/boot.c) set. Freestanding; the constants are usable from assembly.
 */
#ifndef XB_BASE_CR_H
#define XB_BASE_CR_H

#define CR0_PE 0x1
#define CR0_MP 0x2
#define CR0_EM 0x4
#define CR0_TS 0x8
#define CR0_ET 0x10
#define CR0_NE 0x20
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define CR4_OSXSAVE 0x40000
#define EFER_LME 0x100
#define EFER_LMA 0x400

#endif
