"""ktap_parser.py - a KTAP version 1 parser written from the kernel's specification,
Documentation/dev-tools/ktap.rst, for the tests: version lines, plan lines, test case
result lines ("<result> <number> [<description>][ # [<directive>] [<diagnostic data>]]"),
diagnostic lines ("# ..."), unknown lines, and nested tests (a subtest is indented by two
spaces, starts with its own version line and plan, and ends before its parent's result
line). parse() checks every rule the specification states and raises KtapError on the first
line that breaks one; strict=True also refuses unknown lines (a producer that means to
emit only KTAP has none)."""
import re

VERSION = re.compile(r"^(KTAP version 1|TAP version 1[34])$")
PLAN = re.compile(r"^1\.\.(\d+)$")
# "The description ... can be any string of words (can't include #)"
RESULT = re.compile(r"^(ok|not ok) (\d+)(?: ([^#]*?))?(?: #(?: (.*))?)?$")
DIAGNOSTIC = re.compile(r"^# ?(.*)$")
DIRECTIVES = ("SKIP", "TODO", "XFAIL", "TIMEOUT", "ERROR")
INDENT = "  "  # "One level of indentation is two spaces"


class KtapError(Exception):
    pass


class Test:
    def __init__(self, ok, number, name, directive, data, diagnostics, subtests):
        self.ok, self.number, self.name = ok, number, name
        self.directive, self.data = directive, data
        self.diagnostics, self.subtests = diagnostics, subtests

    @property
    def outcome(self):
        """pass, fail or skip: a SKIP directive skips whatever the result says."""
        if self.directive == "SKIP":
            return "skip"
        return "pass" if self.ok else "fail"

    def __repr__(self):
        return f"Test({self.number} {self.name!r} {self.outcome} {self.data!r})"


class Document:
    def __init__(self, plan, tests, diagnostics, unknown):
        self.plan, self.tests, self.diagnostics, self.unknown = plan, tests, diagnostics, unknown


def _depth(line):
    n = 0
    while line.startswith(INDENT * (n + 1)):
        n += 1
    return n, line[len(INDENT) * n:]


def _split_data(rest):
    """'# [<directive>] [<diagnostic data>]': the directive is a single keyword first."""
    if rest is None:
        return None, None
    word, _, tail = rest.partition(" ")
    if word in DIRECTIVES:
        return word, tail or None
    return None, rest


class _Parser:
    def __init__(self, text, strict):
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.pos, self.strict = 0, strict
        self.unknown = []

    def fail(self, why):
        line = self.lines[self.pos] if self.pos < len(self.lines) else "(end of output)"
        raise KtapError(f"line {self.pos + 1}: {why}: {line!r}")

    def classify(self, index):
        depth, body = _depth(self.lines[index])
        for kind, pattern in (("version", VERSION), ("plan", PLAN), ("result", RESULT), ("diagnostic", DIAGNOSTIC)):
            m = pattern.match(body)
            if m:
                return kind, depth, m
        return "unknown", depth, None

    def skip_unknown(self):
        while self.pos < len(self.lines) and self.classify(self.pos)[0] == "unknown":
            if self.strict:
                self.fail("not a KTAP line")
            self.unknown.append(self.lines[self.pos])
            self.pos += 1

    def block(self, depth):
        """A version line, a plan, then results, diagnostics and subtests at @depth."""
        self.skip_unknown()
        kind, d, _ = self.classify(self.pos) if self.pos < len(self.lines) else (None, None, None)
        if kind != "version" or d != depth:
            self.fail(f"want a version line at indentation {depth}")
        self.pos += 1
        plan, tests, diagnostics, pending = None, [], [], []
        while self.pos < len(self.lines):
            kind, d, m = self.classify(self.pos)
            if kind == "unknown":
                self.skip_unknown()
                continue
            if kind == "version" and d == depth + 1:
                subtests = self.block(depth + 1)
                # diagnostic lines may come before the parent's result line, as anywhere
                while self.pos < len(self.lines):
                    self.skip_unknown()
                    kind, d, m = self.classify(self.pos)
                    if kind != "diagnostic" or d != depth:
                        break
                    pending.append(m.group(1))
                    diagnostics.append(m.group(1))
                    self.pos += 1
                kind, d, m = self.classify(self.pos) if self.pos < len(self.lines) else (None, None, None)
                if kind != "result" or d != depth:
                    self.fail("a subtest must end with its parent's result line")
                tests.append(self.result(m, pending, subtests.tests))
                pending = []
                continue
            if d != depth:
                if d < depth:
                    break
                self.fail(f"indentation {d} where {depth} or a subtest's version line is expected")
            if kind == "plan":
                if plan is not None or tests:
                    self.fail("a plan follows the version line, once")
                plan = int(m.group(1))
            elif kind == "diagnostic":
                pending.append(m.group(1))
                diagnostics.append(m.group(1))
            elif kind == "result":
                tests.append(self.result(m, pending, []))
                pending = []
                continue
            else:
                self.fail("a version line inside a test list")
            self.pos += 1
        for i, t in enumerate(tests):
            if t.number != i + 1:
                raise KtapError(f"test {t.name!r} is numbered {t.number}, want {i + 1}")
        if plan is not None and plan != len(tests):
            raise KtapError(f"the plan says {plan} tests, there are {len(tests)}")
        return Document(plan, tests, diagnostics, self.unknown)

    def result(self, m, diagnostics, subtests):
        ok = m.group(1) == "ok"
        directive, data = _split_data(m.group(4))
        t = Test(ok, int(m.group(2)), (m.group(3) or "").strip(), directive, data, list(diagnostics), subtests)
        # "If one of the subtests fail, for example, the parent test should also fail."
        if any(s.outcome == "fail" for s in subtests) and t.ok:
            self.fail("a test whose subtest failed must fail")
        self.pos += 1
        return t


def parse(text, strict=True):
    p = _Parser(text, strict)
    doc = p.block(0)
    p.skip_unknown()
    if p.pos != len(p.lines):
        p.fail("output after the last test")
    if doc.plan is None:
        raise KtapError("no plan line")
    return doc
