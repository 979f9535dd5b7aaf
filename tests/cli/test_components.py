"""test_components.py - the component list (`--suite components`, issue 18) run for real with
--quick on this machine: exactly the planned cases stored, each measured case with the
evidence that it ran in its condition (XINUSE before the batch, the XSTATE_BV its saves wrote
or its restores loaded), `modified` on saves only, the modified optimization never hitting
after the rewrite, skips with their reasons; and none of it in the default suites."""
import json

import xbtest
from xbtest import run

# x87 and SSE, and the names feature_set_format() gives a set of one more component.
FP = 0x3
ROWS = {"fp": FP, "avx": 0x7}
SHORT_NAMES = ["x87", "sse", "ymm", "bndregs", "bndcsr", "opmask", "zmm_hi256", "hi16_zmm", "pt", "pkru",
               "pasid", "cet_user", "cet_kernel", "hdc", "uintr", "lbr", "hwp", "xtilecfg", "xtiledata", "apx"]


MATRIX_SETS = ["avx512", "user", "amx", "all"]  # the save/restore matrix's larger sets, in modified


def feature_mask(name, rfbm):
    """The components a component list's set name stands for: a row, or fp+<component>; a
    larger set of the save/restore matrix as the case recorded it."""
    if name in MATRIX_SETS:
        return rfbm
    if name in ROWS:
        return ROWS[name]
    base, component = name.split("+")
    return ROWS[base] | 1 << SHORT_NAMES.index(component)


class Components(xbtest.OneRunTest):
    @classmethod
    def setUpClass(cls):
        cls.run_once("--quick", "--suite", "components", "--label", "components", "--json", "{dir}/r.json")
        listed = run("list", "--json", "--suite", "components")
        cls.planned = {c["id"]: c for c in json.loads(listed.stdout)["cases"]}

    def attributes(self, case):
        return dict(self.q("SELECT ra.name, ra.value FROM result_attributes ra JOIN cases c ON c.id = ra.case_id "
                           "WHERE c.name = ?", case))

    def test_exit(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr[-3000:])

    def test_exactly_the_planned_cases_are_stored(self):
        stored = dict(self.q("SELECT c.name, r.status FROM results r JOIN cases c ON c.id = r.case_id"))
        self.assertEqual(set(stored), set(self.planned))
        for case, c in self.planned.items():
            self.assertEqual(stored[case], "ok" if c["runnable"] else "skip", case)
        self.assertTrue(any(c["runnable"] for c in self.planned.values()), "nothing runs on this machine")

    def test_ids_are_the_component_list(self):
        for case in self.planned:
            parts = case.split("/")
            if parts[1] == "ring0":
                parts.pop(1)
            site, group, op, features, condition = parts
            self.assertEqual(site, "native")
            self.assertIn(group, ["save", "restore"])
            self.assertNotIn(op, ["fxsave", "fxrstor"])
            if features in MATRIX_SETS:
                self.assertEqual(condition, "modified", case)
            else:
                self.assertEqual(feature_mask(features, None) & FP, FP, case)
            self.assertIn(condition, ["init", "inuse", "clean", "modified"] if group == "save" else ["init", "inuse"])
        self.assertTrue(any(case.endswith("/modified") for case in self.planned))

    def test_skips_carry_their_reasons(self):
        rows = self.q("SELECT c.name, r.reason FROM results r JOIN cases c ON c.id = r.case_id "
                      "WHERE r.status = 'skip'")
        for case, reason in rows:
            self.assertTrue(reason and len(reason) > 10, case)
            self.assertEqual(reason, self.planned[case]["reason"], case)

    def test_every_measured_case_shows_its_condition(self):
        measured = [c for c, p in self.planned.items() if p["runnable"]]
        for case in measured:
            a = self.attributes(case)
            mask = feature_mask(case.split("/")[-2], int(a["rfbm"], 16))
            in_use = 0 if case.endswith("/init") else mask
            self.assertEqual(int(a["rfbm"], 16), mask, case)
            self.assertEqual(mask & FP, FP, case)
            self.assertEqual(int(a["xstate_bv"], 16) & mask, in_use, case)
            if "xinuse_check" not in a:
                self.assertEqual(int(a["xinuse_before"], 16) & mask, in_use, case)

    def test_no_modified_optimization_after_the_rewrite(self):
        rows = self.q("SELECT c.name, max(m.value) FROM sample_metrics m JOIN cases c ON c.id = m.case_id "
                      "WHERE m.name = 'modopt_hit_rate' AND c.name LIKE '%/modified' GROUP BY c.name")
        measured = [c for c, p in self.planned.items() if p["runnable"] and "/xsaveopt/" in c and
                    c.endswith("/modified")]
        self.assertEqual(sorted(r[0] for r in rows), sorted(measured))
        for case, hits in rows:
            self.assertEqual(hits, 0, case)

    def test_samples_of_every_measured_case(self):
        rows = dict(self.q("SELECT c.name, count(*) FROM samples s JOIN cases c ON c.id = s.case_id GROUP BY c.name"))
        for case, p in self.planned.items():
            self.assertEqual(rows.get(case, 0), 6 if p["runnable"] else 0, case)  # --quick: 2 rounds of 3


class DefaultSuites(xbtest.TempDirTest):
    def test_not_planned_unless_asked(self):
        for suites in [[], ["--suite", "all"], ["--suite", "native"]]:
            listed = json.loads(run("list", "--json", *suites).stdout)["cases"]
            self.assertFalse([c["id"] for c in listed if c["id"].endswith("/modified") or "/fp+" in c["id"]],
                             suites)

    def test_suite_word_in_usage(self):
        bad = run("run", "--suite", "component")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("components", bad.stderr)


if __name__ == "__main__":
    xbtest.main()
