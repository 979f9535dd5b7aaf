/*
 * attributes.h - the names a result carries beside its samples, shared by their writers
 * (the runner, the families, the guest payload, the Google Benchmark import) and their
 * readers (the summary, the results store, compare, export): result attributes (one text
 * per case and run, table result_attributes) and sample metrics (one number per sample,
 * table sample_metrics). A name that several write, or that anyone reads, is defined here and
 * nowhere else; SQL binds it as a parameter. A fact only its family writes and only people
 * read (a buffer's layout, a frame's size) is named where it is written.
 */
#ifndef XB_BASE_ATTRIBUTES_H
#define XB_BASE_ATTRIBUTES_H

/* Result attributes: what a case was and did. */
#define ATTR_FUNCTIONAL_ONLY "functional_only" /* why its timings mean nothing (QEMU TCG): never judged */
#define ATTR_DISTURBED "disturbed"             /* what disturbed it (results/disturbance.h) */
#define ATTR_XINUSE_BEFORE "xinuse_before"     /* XGETBV(1) with the condition set, before the batch */
#define ATTR_XINUSE_AFTER "xinuse_after"       /* XGETBV(1) after a kernel path */
#define ATTR_XINUSE_CHECK "xinuse_check"       /* why XINUSE could not be checked */
#define ATTR_XSTATE_BV "xstate_bv"             /* the header a save wrote, or a restore loaded, after the batch */
#define ATTR_RFBM "rfbm"                       /* the components saved, restored or switched */
#define ATTR_BUFFER_BYTES "buffer_bytes"       /* the buffer the instruction wrote or read */
#define ATTR_FORMAT "format"                   /* its format: standard, compacted, fxsave */
#define ATTR_INSNS "insns"                     /* the instructions a switch ran ("xsaves/xrstors") */
#define ATTR_SITE "site"                       /* where the batch ran (ring 0, interrupts off) */
#define ATTR_PER_OP "per_op"                   /* what one operation is, when it is a whole process */
#define ATTR_PARTNER "partner"                 /* the other side of a context switch */
#define ATTR_XFD_STEP "xfd_step"               /* what became of a switch's IA32_XFD write */
#define ATTR_GUEST_XCR0 "guest_xcr0"           /* the XCR0 a kvm case's guest may use */
#define ATTR_SET_XSAVE "set_xsave"             /* the result of a vCPU's first KVM_SET_XSAVE */
#define ATTR_XSAVE2_BYTES "xsave2_bytes"       /* KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM */
#define ATTR_GET_XSAVE2_BYTES "get_xsave2_bytes" /* the bytes KVM_GET_XSAVE2 writes: the guest fpstate */
#define ATTR_THREADS "threads"                 /* an imported benchmark's thread count */

/* Sample metrics: what was measured beside the time, per sample. */
#define METRIC_TICKS_PER_OP "ticks_per_op"     /* the time per operation, net of the overhead */
#define METRIC_NS_PER_OP "ns_per_op"
#define METRIC_CPU_NS_PER_OP "cpu_ns_per_op"  /* ns_per_op times the share of the time on a CPU */
#define METRIC_CORE_CYCLES_PER_OP "core_cycles_per_op" /* estimated from the core clock */
#define METRIC_CORE_CLOCK_GHZ "core_clock_ghz" /* the core clock the clock chain measured */
#define METRIC_MODOPT_HIT_RATE "modopt_hit_rate" /* batches whose save skipped the unmodified state */
#define METRIC_DISCARDED_BATCHES "discarded_batches" /* batches run again: the state changed under them */

/* The evidence of a disturbance (results/disturbance.h), per sample. */
#define SAMPLE_WALL_MS "wall_ms"
#define SAMPLE_RUN_DELAY_MS "run_delay_ms"
#define SAMPLE_STEAL_MS "steal_ms"
#define SAMPLE_INVOLUNTARY_SWITCHES "involuntary_switches"
/* The clock chain's spread over its last window (IQR in percent of the median): recorded
 * beside the evidence, for a reader; no threshold uses it (an interrupted chain is one of 31). */
#define SAMPLE_CLOCK_SPREAD "clock_spread_percent"

#endif
