/*
 * compare_junit.h - a comparison as JUnit XML, valid against the Jenkins xunit plugin's
 * schema (junit-10.xsd): one testsuite per NEW series with the machines, CPUs, microcode and
 * kernels of both sides as properties, one testcase per case classed by its family
 * (site.group), a <failure> or <skipped> by the verdict's outcome, the figures as its body.
 */
#ifndef XB_RESULTS_COMPARE_JUNIT_H
#define XB_RESULTS_COMPARE_JUNIT_H

#include <stdio.h>

#include "comparison.h"

int compare_junit_write(const struct comparison *c, FILE *out) XB_MUST_CHECK;

#endif
