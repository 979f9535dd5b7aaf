"""test_lab_vmm.py - the VMM's plumbing tests (tests/unit/test_kvm_vmm.c) on the lab's nested
KVM: every test runs and passes with /dev/kvm present (told that this KVM, on TCG's emulated
SVM, is not accelerated); then, in a mount namespace whose /dev
hides /dev/kvm, the missing-device error path runs and passes.
Usage: test_lab_vmm.py XSTATE_BENCH TEST_KVM_VMM"""
import re
import sys

import lablib

PLUMBING_TESTS = 12


def main():
    bench, test_binary = sys.argv[1], sys.argv[2]
    lablib.require_lab()
    script = (f"XB_TEST_KVM_ACCELERATED=0 {test_binary}; echo \"status=$?\"; echo '== without /dev/kvm'; "
              f"unshare -m sh -c 'mount -t tmpfs tmpfs /dev && {test_binary}'; echo \"status=$?\"")
    status, out = lablib.run(["sh", "-c", script], bench=bench, puts=[f"{test_binary}:{test_binary}"], timeout=300)
    lablib.check(status == 0, f"lab run exited {status}")
    with_kvm, without_kvm = out.split("== without /dev/kvm")
    lablib.check("status=0" in with_kvm, "test_kvm_vmm failed on the nested KVM")
    passed = re.search(r"\[  PASSED  \] (\d+) test", with_kvm)
    lablib.check(passed and int(passed.group(1)) == PLUMBING_TESTS,
                 f"expected {PLUMBING_TESTS} tests to pass with /dev/kvm")
    # on SVM the exit counter must count port I/O and every CPUID, not skip those checks
    lablib.check("not checked" not in with_kvm, "the exit counter's checks were skipped on the nested KVM")
    lablib.check(set(re.findall(r"SKIPPED \] (test_\w+)", with_kvm)) == {"test_missing_dev_kvm"},
                 "only the missing-device test may skip with /dev/kvm present")
    lablib.check("status=0" in without_kvm, "test_kvm_vmm failed without /dev/kvm")
    lablib.check("[       OK ] test_missing_dev_kvm" in without_kvm, "the missing-device path did not run")
    print(f"lab vmm: {PLUMBING_TESTS} plumbing tests passed on the nested KVM; missing /dev/kvm reported as expected")


if __name__ == "__main__":
    main()
