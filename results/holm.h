/*
 * holm.h - Holm's step-down correction across the cases of one comparison: it bounds the
 * chance that any case of an A/A comparison is flagged (the family-wise error rate) by
 * alpha, which is what a nightly job that must never cry wolf needs.
 */
#ifndef XB_RESULTS_HOLM_H
#define XB_RESULTS_HOLM_H

#include "../base/error.h"

/*
 * Adjusted p-values: with p(1) <= ... <= p(m), adjusted(j) = max over i <= j of
 * min(1, (m - i + 1) p(i)); a case is flagged at level alpha when adjusted <= alpha.
 * NaN p-values (cases not tested) stay NaN and do not count in m. Returns 0 or -ENOMEM.
 */
int holm_adjust(const double *p, int n, double *adjusted) XB_MUST_CHECK;

#endif
