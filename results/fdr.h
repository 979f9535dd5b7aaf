/*
 * fdr.h - the Benjamini-Hochberg false-discovery-rate correction across the cases of one
 * comparison.
 */
#ifndef XB_RESULTS_FDR_H
#define XB_RESULTS_FDR_H

#include "../host/error.h"
/*
 * Adjusted p-values: adjusted[i] = min over j with p(j) >= p(i) of p(j) * n / rank(j),
 * capped at 1; a case is a discovery at level q when adjusted[i] <= q. NaN p-values (cases
 * not tested) stay NaN and do not count in n. Returns 0 or -ENOMEM.
 */
int fdr_benjamini_hochberg(const double *p, int n, double *adjusted) XB_MUST_CHECK;

#endif
